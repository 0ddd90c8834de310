"""Numbers saved before the one phone rule are brought to its form, so a duplicate is found however it was typed."""

import importlib

from django.apps import apps

from guanjia.estates.models import Customer, CustomerPhone

migration = importlib.import_module("guanjia.estates.migrations.0004_customer_phones_in_one_form")


def test_old_phone_forms_are_brought_to_the_one_form(world, db):
    li = Customer.objects.create(project=world.estate, name="李梅")
    wang = Customer.objects.create(project=world.estate, name="王强")
    CustomerPhone.objects.create(customer=li, number="075586001234")
    CustomerPhone.objects.create(customer=li, number="139 1234 5678")
    CustomerPhone.objects.create(customer=li, number="不详")
    CustomerPhone.objects.create(customer=wang, number="0755-86001234")
    CustomerPhone.objects.create(customer=wang, number="0755 8600 1234")

    migration.phones_in_one_form(apps, None)

    assert sorted(li.phones.values_list("number", flat=True)) == ["0755-86001234", "13912345678", "不详"]
    # Wang already has the number in its one form: the second spelling stays rather than clash with it.
    assert sorted(wang.phones.values_list("number", flat=True)) == ["0755 8600 1234", "0755-86001234"]
