"""`manage.py load_demo --if-empty`: the demo `make run` serves (O01–O04 data, price lists, staff of every role)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from guanjia.accounts.models import Role, User
from guanjia.desk import demo
from guanjia.estates.models import Company, Customer, Project, Residency, Unit
from guanjia.estates.services import normalize_phone
from guanjia.repairs.models import PriceItem

pytestmark = pytest.mark.django_db


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def test_load_demo_fills_an_empty_database_and_prints_how_to_log_in():
    output = load("--if-empty")
    assert Company.objects.count() == 1
    assert set(Project.objects.values_list("name", flat=True)) == {"滨江花园", "翠湖苑"}
    assert Unit.objects.count() >= 300 and Customer.objects.count() >= 300
    for project in Project.objects.all():
        assert PriceItem.objects.filter(project=project, active=True).count() >= 25
    assert "http://127.0.0.1:8000" in output and demo.DEMO_PASSWORD in output
    assert "演示密码" in output and "demo password" in output
    for username in ("qiantai", "guanjia", "jishi", "kefuzhuguan", "jingli", "zongjingli", "admin"):
        assert username in output


def test_load_demo_if_empty_is_idempotent():
    load("--if-empty")
    counts = (Unit.objects.count(), Customer.objects.count(), User.objects.count(), PriceItem.objects.count())
    output = load("--if-empty")
    assert (Unit.objects.count(), Customer.objects.count(), User.objects.count(), PriceItem.objects.count()) == counts
    assert "跳过" in output and demo.DEMO_PASSWORD in output
    with pytest.raises(CommandError):
        load()


def test_o02_demo_has_staff_of_every_role_who_can_log_in(client):
    load()
    assert set(User.objects.values_list("role", flat=True)) >= set(Role.values)
    admin = User.objects.get(username=demo.ADMIN_USERNAME)
    assert admin.is_superuser and admin.is_staff
    for spec in demo.STAFF:
        user = User.objects.get(username=spec.username)
        assert user.check_password(demo.DEMO_PASSWORD)
        assert user.role == spec.role
        # O04: project staff belong to their estate; the general manager sees the whole company
        assert user.company_wide == (spec.estate is None)
        assert user.projects.exists() == (spec.estate is not None)
    assert client.login(username="qiantai", password=demo.DEMO_PASSWORD)


def test_o01_o03_units_customers_and_butlers_belong_to_their_project():
    load()
    assert not Unit.objects.exclude(project=F("building__project")).exists()
    assert not Residency.objects.exclude(customer__project=F("unit__project")).exists()
    # O03: every unit has a butler of its own estate
    assert not Unit.objects.filter(butler__isnull=True).exists()
    assert not Unit.objects.exclude(butler__projects=F("project")).exists()
    assert set(Unit.objects.values_list("butler__role", flat=True)) == {Role.BUTLER}
    statuses = set(Unit.objects.values_list("status", flat=True))
    assert statuses == {"occupied", "vacant", "decorating"}
    kinds = set(Customer.objects.values_list("kind", flat=True))
    assert kinds == {"owner", "tenant", "household_member"}


def test_every_demo_customer_has_a_valid_phone():
    load()
    customers = Customer.objects.prefetch_related("phones")
    several = 0
    for customer in customers:
        numbers = [p.number for p in customer.phones.all()]
        assert numbers, customer.name
        assert all(normalize_phone(n) == n for n in numbers)
        several += len(numbers) > 1
    assert several > 20  # some customers give more than one number


def test_demo_is_deterministic():
    assert demo.plan() == demo.plan()
    assert demo.plan(1) != demo.plan(2)
