"""The OpenAPI schema at /api/schema/ documents every endpoint and generates without a warning."""

from django.core.management import call_command


def test_schema_validates_with_no_warnings(tmp_path, db):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    text = (tmp_path / "schema.yml").read_text()
    for path in ("/api/v1/complaints/", "/api/v1/incidents/", "/api/v1/customers/", "/api/v1/price-items/"):
        assert path in text
