"""The old signature column of the (mutable) visit row goes, now that 0004 has copied every signature into
``VisitSignature``; the visit reaches its signature as ``visit.signature`` again."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0004_copy_visit_signatures"),
    ]

    operations = [
        migrations.RemoveField(model_name="returnvisit", name="signature"),
        migrations.RemoveField(model_name="returnvisit", name="signer_name"),
        migrations.AlterField(
            model_name="visitsignature",
            name="visit",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="signature",
                to="visits.returnvisit",
                verbose_name="回访",
            ),
        ),
    ]
