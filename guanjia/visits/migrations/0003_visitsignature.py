"""A return visit's signature becomes evidence of its own (issue 13): the append-only ``VisitSignature`` table.
Created beside the old column; 0004 copies the signatures into it and 0005 removes the column."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import guanjia.core.evidence


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0002_visit_results_household_visits"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="VisitSignature",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("image", models.FileField(upload_to=guanjia.core.evidence.stored_image_path, verbose_name="文件")),
                ("sha256", models.CharField(max_length=64, verbose_name="校验值")),
                ("signer_name", models.CharField(max_length=50, verbose_name="签名人")),
                ("signed_at", models.DateTimeField(verbose_name="签名时间")),
                (
                    "collected_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="经办人",
                    ),
                ),
                (
                    # No reverse accessor yet: ``ReturnVisit.signature`` is still the old column until 0005.
                    "visit",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="visits.returnvisit",
                        verbose_name="回访",
                    ),
                ),
            ],
            options={
                "verbose_name": "客户签名",
                "verbose_name_plural": "客户签名",
                "ordering": ["signed_at", "id"],
            },
        ),
    ]
