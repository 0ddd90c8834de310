"""The board stamp (``complaints.BoardStamp``): raised by the database with every complaint row written, and on
PostgreSQL only at COMMIT, so writers in one estate do not queue behind each other's stamp (issue 14)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from guanjia.complaints import services
from guanjia.complaints.models import BoardStamp, Complaint


def register(world):
    return services.complaint_register(
        project=world.estate, actor=world.front_desk, channel="phone", description="电梯停运", customer=world.customer
    )


def stamp(project) -> int:
    return BoardStamp.objects.filter(project_id=project.pk).values_list("version", flat=True).first() or 0


def test_every_write_of_a_complaint_raises_its_estate_stamp_and_no_other(world):
    before, elsewhere = stamp(world.estate), stamp(world.other_estate)
    complaint = register(world)
    registered = stamp(world.estate)
    assert registered > before
    Complaint.objects.filter(pk=complaint.pk).update(location="地下车库B2")
    assert stamp(world.estate) > registered
    moved = stamp(world.estate)
    Complaint.objects.filter(pk=complaint.pk).update(project=world.other_estate)  # both boards change
    assert stamp(world.estate) > moved and stamp(world.other_estate) > elsewhere


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_stamp_moves_at_commit_and_writers_in_one_estate_do_not_wait(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: its trigger fires at once")
    first = register(world)
    before = stamp(world.estate)
    writing, release = threading.Event(), threading.Event()

    def writer() -> None:
        try:
            with transaction.atomic():
                Complaint.objects.filter(pk=first.pk).update(location="地下车库B2")
                writing.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert writing.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:  # waiting for the writer's stamp would fail here
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            register(world)
            assert stamp(world.estate) == before  # not yet: at COMMIT
        assert stamp(world.estate) == before + 1
    finally:
        release.set()
        thread.join(10)
    assert stamp(world.estate) == before + 2
