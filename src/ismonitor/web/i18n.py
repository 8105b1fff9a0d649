"""Compile the portal's Dutch catalog (django.po) to the .mo file Django reads, with Babel.

GNU gettext may not be installed, so ``compilemessages`` is not used: the .mo is written
by Babel when it is missing or older than the .po, at the start of ``ismonitor serve`` and
``ismonitor manage`` and by the test settings. The .mo files are not committed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"


def catalogs() -> list[Path]:
    """Every django.po of the portal."""
    return sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))


def compile_messages(force: bool = False) -> list[Path]:
    """Write each .mo that is missing or stale; returns the ones written."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in catalogs():
        mo = po.with_suffix(".mo")
        if not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=po.parent.parent.name, domain="django")
        handle_no, temporary = tempfile.mkstemp(dir=mo.parent, prefix=".django.", suffix=".mo")
        try:
            with os.fdopen(handle_no, "wb") as out:
                write_mo(out, catalog, use_fuzzy=False)
            os.replace(temporary, mo)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        written.append(mo)
    return written
