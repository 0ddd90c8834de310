"""The duty log lives at /duty/, the office's ledgers at /office/; the old /desk/ paths are sent on."""

import pytest
from django.urls import reverse


def test_the_duty_log_and_the_ledgers_are_mounted_under_names_that_say_what_they_are():
    assert reverse("duty:today") == "/duty/"
    assert reverse("duty:calls") == "/duty/calls/"
    assert reverse("office:rooms") == "/office/rooms/"
    assert reverse("office:fees") == "/office/fees/"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/desk/", "/duty/"),
        ("/desk/calls/?day=2026-11-02", "/duty/calls/?day=2026-11-02"),
        ("/desk/shifts/7/handover/", "/duty/shifts/7/handover/"),
        ("/desk/rooms/", "/office/rooms/"),
        ("/desk/bookings/3/move/", "/office/bookings/3/move/"),
        ("/desk/notices/", "/office/notices/"),
        ("/desk/fees/plans/open/", "/office/fees/plans/open/"),
    ],
)
def test_an_old_desk_link_is_sent_on_permanently(client, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new


def test_a_form_posted_to_an_old_path_is_sent_on_with_its_method(client):
    response = client.post("/desk/shifts/7/check/", {"item": "1"})
    assert response.status_code == 308
    assert response["Location"] == "/duty/shifts/7/check/"


def test_an_odd_old_path_is_sent_on_escaped_never_an_error(client):
    response = client.get("/desk/rooms/会议室 A/")
    assert response.status_code == 301
    assert response["Location"] == "/office/rooms/%E4%BC%9A%E8%AE%AE%E5%AE%A4%20A/"
    assert client.get("/desk/rooms/%0D%0ASet-Cookie:x=1").status_code == 404
