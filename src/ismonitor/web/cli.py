"""The portal's commands for the ismonitor command line: serve, manage, worker, demo-portal.

``src/ismonitor/cli.py`` calls :func:`register` once; each command sets up Django and
hands over to it, so the commands stay as thin as the rest of the CLI.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Annotated

import typer

SETTINGS = "ismonitor.web.settings"


def setup_django() -> None:
    """Point Django at the portal's settings, compile the Dutch catalog, set up the apps."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    from .i18n import compile_messages

    compile_messages()
    import django

    django.setup()


def serve(
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The port to listen on.")] = 8000,
    reload: Annotated[
        bool, typer.Option("--reload/--no-reload", help="Restart when the code changes.")
    ] = False,
    worker: Annotated[
        bool,
        typer.Option(
            "--worker/--no-worker",
            help="Also run the background worker (report builds) while serving.",
        ),
    ] = True,
) -> None:
    """Apply the database migrations and serve the portal.

    SQLite in ISMONITOR_DATA_DIR (default ./var) unless DATABASE_URL is set; see
    docs/portal.md for the settings. For production run a WSGI server on
    ismonitor.web.wsgi:application instead.

    Example: ismonitor serve --port 8000
    """
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    process = None
    if worker:
        process = subprocess.Popen([sys.executable, "-m", "ismonitor.web.manage", "db_worker"])
    # a plain kill (SIGTERM) stops the worker too, not only Ctrl-C
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        call_command("runserver", f"{host}:{port}", use_reloader=reload, use_threading=True)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=10)


def manage(ctx: typer.Context) -> None:
    """Run one of Django's management commands for the portal (createsuperuser, shell, ...).

    Example: ismonitor manage createsuperuser
    """
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ismonitor manage", *ctx.args])


def worker(ctx: typer.Context) -> None:
    """Run the background worker that builds the analyses and reports queued on the web.

    Any further options go to Django's db_worker command (--batch stops when the queue is
    empty).

    Example: ismonitor worker
    """
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ismonitor worker", "db_worker", *ctx.args])


def demo_portal() -> None:
    """Load the SYNTHETIC demo editions into the portal's database and print the logins.

    A closed 2018 edition and an earlier 2016 edition of ism-2018 (139 synthetic
    organisations each, all answers submitted) and an open edition to try the
    questionnaire with. Running it again changes nothing but the demo passwords' reset.

    Example: ismonitor demo-portal
    """
    setup_django()
    from django.core.management import call_command

    from .demo import load_demo

    call_command("migrate", interactive=False, verbosity=0)
    result = load_demo()
    typer.echo(result.summary())


PASS_THROUGH = {"allow_extra_args": True, "ignore_unknown_options": True}


def register(app: typer.Typer) -> None:
    """Add the portal's commands to the ismonitor command line."""
    app.command("serve")(serve)
    app.command("manage", context_settings=PASS_THROUGH, add_help_option=False)(manage)
    app.command("worker", context_settings=PASS_THROUGH)(worker)
    app.command("demo-portal")(demo_portal)
