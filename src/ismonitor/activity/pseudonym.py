"""Pseudonymise user identifiers with a keyed hash before anything is written.

A pseudonym is the hex HMAC-SHA256 of ``"<namespace>:<identifier>"`` under a secret key.
The namespace is the platform's name by default, so the same person in Slack and in Viva
Engage gets two unrelated pseudonyms: an import never links people across platforms
unless the caller asks for it by passing the same ``namespace`` to both imports (and
the platforms use the same identifiers, e.g. Microsoft Entra ids or UPNs).

Identifiers are normalised before hashing: surrounding white space is stripped, and
identifiers that are case-insensitive on their platform (e-mail-like user principal
names, the 32-hex hashes that Microsoft 365 reports show when names are concealed, and
GUIDs) are lower-cased, so ``Jan@Example.org`` and ``jan@example.org`` are one person.
Other identifiers (Slack's ``U0BMQB6JE``) are kept as they are.

The key comes from the caller, from ``ISMONITOR_PSEUDONYM_KEY`` or from the file named
in ``ISMONITOR_PSEUDONYM_KEY_FILE``. The same key gives the same pseudonyms, so imports
can be compared over time; whoever holds the key and a list of identifiers can recompute
the pseudonyms, so keep it apart from the data.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from pathlib import Path

KEY_ENV = "ISMONITOR_PSEUDONYM_KEY"
KEY_FILE_ENV = "ISMONITOR_PSEUDONYM_KEY_FILE"
MIN_KEY_BYTES = 16

_CASE_INSENSITIVE = re.compile(
    r"[^@\s]+@[^@\s]+"  # e-mail addresses and user principal names
    r"|[0-9a-fA-F]{32}"  # concealed names in Microsoft 365 usage reports
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"  # GUIDs
)
_NAMESPACE = re.compile(r"[a-z0-9_]+")

HOW_TO_SET = (
    f"set {KEY_ENV} to a secret of at least {MIN_KEY_BYTES} bytes, or {KEY_FILE_ENV} to "
    "the path of a file holding one; make one with `ismonitor activity new-key FILE`. "
    "Keep the key: the same key gives the same pseudonyms, another key unrelated ones"
)


class PseudonymKeyError(RuntimeError):
    """No usable pseudonymisation key."""


def load_key(key: bytes | str | None = None) -> bytes:
    """Return the pseudonymisation key: ``key`` if given, else from the environment.

    Raises :class:`PseudonymKeyError`, saying how to set one, when there is no key, when
    both environment variables are set, or when the key is shorter than 16 bytes.
    """
    if key is None:
        value, file = os.environ.get(KEY_ENV), os.environ.get(KEY_FILE_ENV)
        if value and file:
            raise PseudonymKeyError(f"both {KEY_ENV} and {KEY_FILE_ENV} are set: set only one")
        if file:
            path = Path(file)
            try:
                key = path.read_bytes().rstrip(b"\r\n")
            except OSError as exc:
                raise PseudonymKeyError(
                    f"{KEY_FILE_ENV} names {path}, which cannot be read ({exc.strerror})"
                ) from exc
            source = f"the key in {path}"
        elif value:
            key, source = value, KEY_ENV
        else:
            raise PseudonymKeyError(f"no pseudonymisation key: {HOW_TO_SET}")
    else:
        source = "the key given"
    if isinstance(key, str):
        key = key.encode("utf-8")
    if len(key) < MIN_KEY_BYTES:
        raise PseudonymKeyError(
            f"{source} is {len(key)} bytes; a pseudonymisation key needs at least "
            f"{MIN_KEY_BYTES}: {HOW_TO_SET}"
        )
    return key


def key_id(key: bytes) -> str:
    """A fingerprint of the key (not the key): equal fingerprints mean the same key."""
    return hmac.new(key, b"ismonitor:key-id", hashlib.sha256).hexdigest()[:16]


def normalise(identifier: str) -> str:
    """Strip an identifier and lower-case it where its platform ignores case."""
    identifier = identifier.strip()
    if _CASE_INSENSITIVE.fullmatch(identifier):
        return identifier.lower()
    return identifier


class Pseudonymiser(dict):
    """Maps platform identifiers to pseudonyms, remembering each one it has computed.

    ``pseudonymiser[identifier]`` (or calling it) gives the pseudonym; being a dict with
    ``__missing__``, a million look-ups of a few thousand people cost a few thousand
    HMACs.
    """

    def __init__(self, key: bytes, namespace: str):
        super().__init__()
        if not _NAMESPACE.fullmatch(namespace):
            raise ValueError(
                f"namespace {namespace!r}: expected lower-case letters, digits and _ only"
            )
        self.namespace = namespace
        self._base = hmac.new(load_key(key), digestmod=hashlib.sha256)
        self._base.update(f"{namespace}:".encode())

    def __missing__(self, identifier: str) -> str:
        if not isinstance(identifier, str):
            raise TypeError(f"a user identifier must be a string, not {identifier!r}")
        digest = self._base.copy()
        digest.update(normalise(identifier).encode("utf-8"))
        pseudonym = self[identifier] = digest.hexdigest()
        return pseudonym

    def __call__(self, identifier: str) -> str:
        return self[identifier]

    def many(self, identifiers) -> list[str]:
        """Pseudonyms of ``identifiers``, in order."""
        return list(map(self.__getitem__, identifiers))


def pseudonymise(identifier: str, *, key: bytes | str | None = None, namespace: str) -> str:
    """The pseudonym of one identifier (for tests and one-off look-ups)."""
    return Pseudonymiser(load_key(key), namespace)(identifier)
