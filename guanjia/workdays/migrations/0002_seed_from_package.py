"""Seed the calendar from the chinesecalendar package (2004–2026). ``manage.py sync_calendar`` does the same
later, e.g. after the package is upgraded; both keep rows an administrator edited."""

from django.db import migrations


def seed(apps, schema_editor):
    from guanjia.workdays.package import apply_package

    apply_package(apps.get_model("workdays", "CalendarDay"), apps.get_model("workdays", "CalendarYear"))


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
