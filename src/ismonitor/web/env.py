"""Settings from environment variables through small typed helpers that fail loudly.

As Healthchecks does: every setting that comes from the environment is read here, a value
that cannot be parsed stops the start-up with a message naming the variable, and a secret
can also be read from a file (``NAME_FILE``), as container secrets are mounted.
"""

from __future__ import annotations

import os
from pathlib import Path


class EnvError(RuntimeError):
    """An environment variable that is missing or holds something unusable."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    """A text; without a default the variable is required."""
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise EnvError(f"{name} is not set; it is required")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    """``1/true/yes/on`` or ``0/false/no/off`` (any case); anything else is an error."""
    value = os.environ.get(name)
    if value is None:
        return default
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise EnvError(f"{name}={value!r} is not a yes/no value; expected 1/0, true/false, yes/no")


def env_int(name: str, default: int) -> int:
    """A whole number."""
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value.strip())
    except ValueError:
        raise EnvError(f"{name}={value!r} is not a whole number") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """Comma-separated values, spaces around them dropped."""
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [part.strip() for part in value.split(",") if part.strip()]


def env_secret(name: str, default: str | None = None) -> str | None:
    """A secret from ``NAME`` or from the file named by ``NAME_FILE`` (not both)."""
    value = os.environ.get(name)
    path = os.environ.get(f"{name}_FILE")
    if value is not None and path is not None:
        raise EnvError(f"both {name} and {name}_FILE are set; set one of them")
    if path is not None:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise EnvError(f"{name}_FILE={path!r} cannot be read: {exc.strerror}") from None
    return value if value is not None else default


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    """One of a fixed set of words."""
    value = os.environ.get(name, default).strip().lower()
    if value not in choices:
        raise EnvError(f"{name}={value!r} is not one of {', '.join(choices)}")
    return value
