"""Pulse survey links: the hash is required and unique, the plain token is gone (3 of 3)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pulse", "0004_hash_tokens"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="pulsesurvey",
            name="token",
        ),
        migrations.AlterField(
            model_name="pulsesurvey",
            name="token_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
    ]
