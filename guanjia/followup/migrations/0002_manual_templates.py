"""The manual's follow-up schedules (T02, seed 001 §(三)4–5 and seed 003) and the lead cadence defaults (T06)."""

from django.db import migrations

TEMPLATES = [
    {
        "code": "after-sales",
        "name": "售后跟踪服务",
        "description": "售后第一次跟踪：服务后三天至一周内；第二次：再过一周后的 7 天以内（至第 14 天）",
        "steps": [
            ("第一次跟踪服务电话", 3, 0, 4),
            ("第二次跟踪服务电话", 8, 0, 6),
        ],
    },
    {
        "code": "procedure",
        "name": "术后回访（第1、3、6天，第1、3、6个月）",
        "description": "按服务后第 1、3、6 天和第 1、3、6 个月跟踪",
        "steps": [
            ("第 1 天回访", 1, 0, 0),
            ("第 3 天回访", 3, 0, 0),
            ("第 6 天回访", 6, 0, 0),
            ("第 1 个月回访", 0, 1, 0),
            ("第 3 个月回访", 0, 3, 0),
            ("第 6 个月回访", 0, 6, 0),
        ],
    },
]

#: Product defaults: seed 001 only says "follow up by grade, A and B closely".
CADENCE = {"A": 3, "B": 7, "C": 14, "D": 30}


def forwards(apps, schema_editor):
    PlanTemplate = apps.get_model("followup", "PlanTemplate")
    PlanStep = apps.get_model("followup", "PlanStep")
    LeadCadence = apps.get_model("followup", "LeadCadence")
    for spec in TEMPLATES:
        template, created = PlanTemplate.objects.get_or_create(
            company=None, code=spec["code"], defaults={"name": spec["name"], "description": spec["description"]}
        )
        if created:
            for position, (label, days, months, window) in enumerate(spec["steps"], start=1):
                PlanStep.objects.create(
                    template=template,
                    position=position,
                    label=label,
                    offset_days=days,
                    offset_months=months,
                    window_days=window,
                )
    for grade, days in CADENCE.items():
        LeadCadence.objects.get_or_create(project=None, grade=grade, defaults={"every_days": days})


def backwards(apps, schema_editor):
    apps.get_model("followup", "PlanTemplate").objects.filter(company=None, code__in=[t["code"] for t in TEMPLATES]).delete()
    apps.get_model("followup", "LeadCadence").objects.filter(project=None).delete()


class Migration(migrations.Migration):
    dependencies = [("followup", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
