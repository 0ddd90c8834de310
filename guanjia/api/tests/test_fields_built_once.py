"""A model serializer reads its model once per class (issue 14: rebuilding the fields was most of the time it took
to show a complaint), and nothing of one request reaches the next: every instance has its own fields, scoped ids
are still checked against the requesting user's projects, and labels follow each request's language."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.text import capfirst
from rest_framework import serializers

from guanjia.api.fields import BuiltOnceSerializer, _built
from guanjia.complaints.models import Complaint
from guanjia.complaints.serializers import ComplaintDeadlineSerializer, ComplaintSerializer
from guanjia.complaints.tests.test_api import URL, body
from guanjia.complaints.tests.test_services import register


def test_the_fields_are_built_once_per_class_and_each_instance_gets_its_own(monkeypatch):
    class Probe(BuiltOnceSerializer[Complaint]):
        class Meta:
            model = Complaint
            fields = ["id", "number", "channel", "unit"]

    builds: list[type] = []
    drf_get_fields = serializers.ModelSerializer.get_fields

    def counting(self):
        builds.append(type(self))
        return drf_get_fields(self)

    monkeypatch.setattr(serializers.ModelSerializer, "get_fields", counting)
    first, second = Probe(), Probe()
    assert list(first.fields) == list(second.fields) == ["id", "number", "channel", "unit"]
    assert builds == [Probe]
    assert Probe in _built
    for name in first.fields:
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first and second.fields[name].parent is second
    # The cached originals are never bound: binding happens on each instance's copy.
    assert all(field.parent is None for field in _built[Probe].values())


def test_a_copy_answers_like_a_freshly_built_serializer():
    for cls in (ComplaintSerializer, ComplaintDeadlineSerializer):
        cls()  # warm the cache
        cached = cls().fields
        fresh = cls().build_fields()
        assert list(cached) == list(fresh)
        for name, field in cached.items():
            assert type(field) is type(fresh[name]), name
            assert repr(field) == repr(fresh[name]), name


def test_labels_follow_the_language_of_each_request():
    verbose = Complaint._meta.get_field("channel").verbose_name
    with translation.override("zh-hans"):
        zh = str(ComplaintSerializer().fields["channel"].label)
        assert zh == str(capfirst(verbose))
    with translation.override("en"):
        en = str(ComplaintSerializer().fields["channel"].label)
        assert en == str(capfirst(verbose))
    assert zh != en


@pytest.mark.django_db
def test_o04_scoped_ids_are_checked_per_request_after_the_fields_are_cached(world, api_as):
    desk, outsider = api_as(world.front_desk), api_as(world.outsider)
    other = {"project": world.other_estate.pk, "customer": world.other_customer.pk}

    assert desk.post(URL, body(world), format="json").status_code == 201
    refused = outsider.post(URL, body(world), format="json")
    assert refused.status_code == 400, refused.content
    assert "project" in refused.json()
    assert outsider.post(URL, body(world, **other), format="json").status_code == 201
    refused = desk.post(URL, body(world, **other), format="json")
    assert refused.status_code == 400, refused.content
    assert "project" in refused.json()

    mine = {c["project"] for c in desk.get(URL).json()["results"]}
    theirs = {c["project"] for c in outsider.get(URL).json()["results"]}
    assert mine == {world.estate.pk}
    assert theirs == {world.other_estate.pk}


@pytest.mark.django_db
def test_the_deadlines_of_a_complaint_read_as_a_list_of_their_rows(world):
    complaints = [register(world), register(world, facts={"economic_loss_yuan": 3000})]
    rows = ComplaintSerializer(Complaint.objects.filter(pk__in=[c.pk for c in complaints]), many=True).data
    assert len(rows) == 2
    for row in rows:
        complaint = Complaint.objects.get(pk=row["id"])
        expected = list(ComplaintDeadlineSerializer(complaint.deadlines.all(), many=True).data)
        assert expected and row["deadlines"] == expected


def test_the_registration_body_binds_its_own_copies_and_a_nested_body_is_copied_whole():
    from guanjia.complaints.serializers import ComplaintCreateSerializer

    first, second = ComplaintCreateSerializer(data={}), ComplaintCreateSerializer(data={})
    assert list(first.fields) == list(ComplaintCreateSerializer._declared_fields)
    for name in first.fields:
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first and second.fields[name].parent is second
    assert all(field.parent is None for field in ComplaintCreateSerializer._declared_fields.values())
    # The mail body is a serializer of its own: its fields belong to each copy, not to the declared original.
    assert first.fields["mail"].fields["sender"] is not second.fields["mail"].fields["sender"]
    assert first.fields["mail"].fields["sender"].root is first
