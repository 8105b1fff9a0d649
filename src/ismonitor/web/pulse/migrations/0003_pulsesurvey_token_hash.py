"""Pulse survey links: keep only a hash of the token (1 of 3, see 0004 and 0005).

The plain ``token`` becomes nullable here only so that the steps can be undone.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pulse", "0002_results_released"),
    ]

    operations = [
        migrations.AddField(
            model_name="pulsesurvey",
            name="token_hash",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.AlterField(
            model_name="pulsesurvey",
            name="token",
            field=models.CharField(editable=False, max_length=64, null=True, unique=True),
        ),
    ]
