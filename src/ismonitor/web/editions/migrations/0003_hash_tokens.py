"""Invitation links: hash every stored token (2 of 3), so that existing links keep working.

The hash is the one ``ismonitor.web.tokens.hash_token`` makes (hex SHA-256 of the token),
written out here so that this migration does not change when that module does. Undoing it
cannot bring the old tokens back: every participation gets a new random one, and the
links sent before stop working.
"""

import hashlib
import secrets

from django.db import migrations


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_tokens(apps, schema_editor):
    Participation = apps.get_model("editions", "Participation")
    participations = list(Participation.objects.only("pk", "token"))
    for participation in participations:
        participation.token_hash = hash_token(participation.token or secrets.token_urlsafe(32))
    Participation.objects.bulk_update(participations, ["token_hash"], batch_size=500)


def new_plain_tokens(apps, schema_editor):
    Participation = apps.get_model("editions", "Participation")
    for participation in Participation.objects.only("pk"):
        token = secrets.token_urlsafe(32)
        Participation.objects.filter(pk=participation.pk).update(
            token=token, token_selector=token[:12], token_hash=hash_token(token)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("editions", "0002_participation_token_hash"),
    ]

    operations = [
        migrations.RunPython(hash_tokens, new_plain_tokens),
    ]
