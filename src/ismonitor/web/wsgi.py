"""The WSGI application for gunicorn and other servers: ``ismonitor.web.wsgi:application``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ismonitor.web.settings")

application = get_wsgi_application()
