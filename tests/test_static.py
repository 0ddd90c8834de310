"""The production static files: collectstatic writes the hashed names and the manifest every page needs.

Without a manifest, ``CompressedManifestStaticFilesStorage`` cannot name any asset and every HTML page of a
production deployment answers 500. It broke once because two vendored files referenced source maps that were
never vendored."""

from __future__ import annotations

import json
import re
import secrets

from tests.test_config import ROOT, manage


def test_production_collectstatic_writes_a_manifest_naming_every_asset(tmp_path):
    result = manage(
        "collectstatic",
        "--noinput",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        PII_HASH_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="guanjia.example.com",
        GUANJIA_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles" / "staticfiles.json").read_text())["paths"]
    for asset in ("vendor/htmx.min.js", "vendor/signature_pad.umd.min.js", "vendor/chart.umd.min.js", "js/app.js"):
        hashed = manifest[asset]
        assert re.search(r"\.[0-9a-f]{12}\.js$", hashed), hashed
        assert (tmp_path / "staticfiles" / hashed).is_file()


def test_no_vendored_asset_references_a_file_that_is_not_vendored():
    vendor = ROOT / "static" / "vendor"
    for script in vendor.glob("*.js"):
        for reference in re.findall(r"sourceMappingURL=(\S+)", script.read_text(encoding="utf-8")):
            assert (vendor / reference).is_file(), f"{script.name} references {reference}, which is not vendored"
