"""E-mails of the portal: Dutch with the English text below it, sent by Django's mail
framework (printed to the console unless ``EMAIL_HOST`` is set)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


def bilingual(subject_template: str, body_template: str, context: dict[str, Any]):
    """The subject in Dutch, and the body in Dutch with the English text below it."""
    parts = []
    for lang in ("nl", "en"):
        with translation.override(lang):
            parts.append(render_to_string(body_template, context).strip())
            if lang == "nl":
                subject = " ".join(render_to_string(subject_template, context).split())
    return subject, parts[0] + "\n\n-- English --\n\n" + parts[1] + "\n"


def deliver(message: EmailMessage, background: bool) -> None:
    """Send a message; in the background when asked, so that the answer to the request
    takes as long whether or not an e-mail went out (a failure is logged)."""
    if not background:
        message.send()
        return

    def send() -> None:
        try:
            message.send()
        except Exception:  # nobody waits for it: the log says what failed
            logger.exception("an e-mail could not be sent")

    threading.Thread(target=send, name="ismonitor-mail").start()
