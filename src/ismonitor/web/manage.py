"""Django's manage.py for the portal; ``ismonitor manage ...`` calls the same."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ismonitor.web.settings")
    from django.core.management import execute_from_command_line

    from .i18n import compile_messages

    compile_messages()
    execute_from_command_line(argv if argv is not None else sys.argv)


if __name__ == "__main__":
    main()
