"""Results of a pulse survey only once it is closed; once shown, it stays closed.

A survey that is closed with at least five responses has had its results shown (before
this migration they were shown even while it was open), so it is marked as released.
"""

from django.db import migrations, models
from django.db.models import Count
from django.utils import timezone

MINIMUM = 5
"""ismonitor.study.pulse.MINIMUM when this migration was written."""


def release_closed(apps, schema_editor):
    PulseSurvey = apps.get_model("pulse", "PulseSurvey")
    closed = PulseSurvey.objects.filter(is_open=False).annotate(count=Count("responses"))
    shown = [survey.pk for survey in closed if survey.count >= MINIMUM]
    PulseSurvey.objects.filter(pk__in=shown).update(results_released_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("pulse", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="pulsesurvey",
            name="results_released_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(release_closed, migrations.RunPython.noop),
    ]
