"""The secrets in links: a random token in the link, only its SHA-256 hash in the database.

Invitation links (``/i/<token>/``), pulse survey links (``/s/<token>/``) and member
invitations (``/accounts/join/<token>/``) carry a token from ``secrets.token_urlsafe(32)``.
The database keeps only its hash and finds a link by the hash of what was opened, so that a
copy of the database (a backup, an export, someone reading the admin) opens nothing. The
plain token exists only where it is made: in the e-mail, on the page that shows a new link
once, and on the model instance that made it (``.token``). Sending a link again therefore
makes a new one, and the earlier link stops working.

A plain SHA-256 (not keyed): the token has 256 random bits, so its hash cannot be
reversed by trying, and links keep working when the ``SECRET_KEY`` changes.
"""

from __future__ import annotations

import hashlib
import secrets

MIN_LENGTH = 32
"""Shorter than this is no token of ours (``token_urlsafe(32)`` gives 43 characters)."""
MAX_LENGTH = 100


def hash_token(token: str) -> str:
    """The hex SHA-256 of a token: what the database keeps."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A new unguessable token and its hash."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def plausible(token: str) -> bool:
    """Whether a string from a link could be one of our tokens (before any look-up)."""
    return MIN_LENGTH <= len(token) <= MAX_LENGTH


class TokenMixin:
    """For a model with a ``token_hash`` field: the plain token, on the instance that made
    it (or that was found by it) only; it is never stored."""

    _token: str | None = None

    @property
    def token(self) -> str:
        if self._token is None:
            raise AttributeError(
                f"{type(self).__name__}.token: only the token's hash is stored; the plain "
                "token is on the instance that made it (new_token()) or was found by it"
            )
        return self._token

    @token.setter
    def token(self, value: str) -> None:
        self._token = value

    def new_token(self) -> str:
        """Replace the token (the earlier link stops working once saved); returns it."""
        self._token, self.token_hash = new_token()
        return self._token


def invalid_link(request, kind: str):
    """The page for a link that does not (or no longer) open anything: it says so, and what
    to do, without telling whether the token ever existed. ``kind``: ``invitation``,
    ``pulse`` or ``join``."""
    from django.shortcuts import render

    return render(request, "link_invalid.html", {"kind": kind}, status=404)
