"""The archive's phone numbers in the one form ``guanjia.core.clean.phone`` keeps (a landline as
0755-86001234): numbers saved before that rule, typed another way, would not be found as duplicates. A number
the rule does not read, or one the customer already has in that form, is left as it is."""

from django.db import migrations


def phones_in_one_form(apps, schema_editor):
    from django.core.exceptions import ValidationError

    from guanjia.core.clean import phone

    CustomerPhone = apps.get_model("estates", "CustomerPhone")
    for row in CustomerPhone.objects.order_by("pk").iterator(chunk_size=2000):
        try:
            number = phone(row.number)
        except ValidationError:
            continue
        if not number or number == row.number or len(number) > 20:
            continue
        if CustomerPhone.objects.filter(customer_id=row.customer_id, number=number).exists():
            continue
        CustomerPhone.objects.filter(pk=row.pk).update(number=number)


class Migration(migrations.Migration):
    dependencies = [("estates", "0003_retire_and_residency_kind")]

    operations = [migrations.RunPython(phones_in_one_form, migrations.RunPython.noop, elidable=True)]
