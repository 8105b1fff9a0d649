"""Middleware of our own: the interface language, and a content security policy."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
"""Scripts only from our own files; charts are inline SVG, whose styles are attributes."""


def language(get_response):
    """Dutch unless the visitor chose English (a cookie set by the language switch).

    Django's LocaleMiddleware would follow the browser's Accept-Language; the study is
    Dutch and its default is Dutch, whatever language the browser was installed in.
    """

    def middleware(request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = code
        response = get_response(request)
        response.headers.setdefault("Content-Language", code)
        patch = response.headers.get("Vary", "")
        if "Cookie" not in patch:
            response.headers["Vary"] = f"{patch}, Cookie" if patch else "Cookie"
        return response

    return middleware


def content_security_policy(get_response):
    def middleware(request):
        response = get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        return response

    return middleware
