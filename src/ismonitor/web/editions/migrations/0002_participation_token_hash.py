"""Invitation links: keep only a hash of the token (1 of 3, see 0003 and 0004).

The plain ``token`` becomes nullable here only so that the steps can be undone.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("editions", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="participation",
            name="token_hash",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.AlterField(
            model_name="participation",
            name="token",
            field=models.CharField(editable=False, max_length=64, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name="participation",
            name="token_selector",
            field=models.CharField(db_index=True, editable=False, max_length=12, null=True),
        ),
    ]
