"""A body over the upload limit is refused with JSON, never an HTML page or a 500."""

import json

from guanjia.complaints.models import Complaint


def test_a_body_over_the_limit_gets_a_json_413_and_changes_nothing(world, api_as, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    client = api_as(world.front_desk)
    body = json.dumps({"project": world.estate.pk, "channel": "phone", "description": "漏" * 2_000_000})
    response = client.post("/api/v1/complaints/", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()
    assert not Complaint.objects.exists()
