"""Pulse survey links: hash every stored token (2 of 3), so that links already shared keep
working.

The hash is the one ``ismonitor.web.tokens.hash_token`` makes (hex SHA-256 of the token),
written out here so that this migration does not change when that module does. Undoing it
cannot bring the old tokens back: every survey gets a new random one.
"""

import hashlib
import secrets

from django.db import migrations


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_tokens(apps, schema_editor):
    PulseSurvey = apps.get_model("pulse", "PulseSurvey")
    surveys = list(PulseSurvey.objects.only("pk", "token"))
    for survey in surveys:
        survey.token_hash = hash_token(survey.token or secrets.token_urlsafe(32))
    PulseSurvey.objects.bulk_update(surveys, ["token_hash"], batch_size=500)


def new_plain_tokens(apps, schema_editor):
    PulseSurvey = apps.get_model("pulse", "PulseSurvey")
    for survey in PulseSurvey.objects.only("pk"):
        token = secrets.token_urlsafe(32)
        PulseSurvey.objects.filter(pk=survey.pk).update(token=token, token_hash=hash_token(token))


class Migration(migrations.Migration):
    dependencies = [
        ("pulse", "0003_pulsesurvey_token_hash"),
    ]

    operations = [
        migrations.RunPython(hash_tokens, new_plain_tokens),
    ]
