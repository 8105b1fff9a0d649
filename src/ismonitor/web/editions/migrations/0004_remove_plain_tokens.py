"""Invitation links: the hash is required and unique, the plain token is gone (3 of 3)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("editions", "0003_hash_tokens"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="participation",
            name="token_selector",
        ),
        migrations.RemoveField(
            model_name="participation",
            name="token",
        ),
        migrations.AlterField(
            model_name="participation",
            name="token_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
    ]
