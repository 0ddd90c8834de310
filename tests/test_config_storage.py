"""Where files are stored comes from the environment: local disk by default, an S3-compatible bucket with
STORAGE_URL=s3://… and the S3_* variables; a bad value stops start-up naming the variable."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import S3_VARIABLES, env_storage

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("STORAGE_URL", *S3_VARIABLES):
        monkeypatch.delenv(name, raising=False)


def test_unset_keeps_files_on_local_disk():
    assert env_storage("STORAGE_URL") == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_an_s3_url_selects_a_private_bucket(monkeypatch):
    monkeypatch.setenv("STORAGE_URL", "s3://guanjia-files/binjiang/")
    monkeypatch.setenv("S3_ENDPOINT_URL", "https://oss-cn-hangzhou.aliyuncs.com")
    monkeypatch.setenv("S3_ACCESS_KEY_ID", "key-id")
    monkeypatch.setenv("S3_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("S3_REGION", "cn-hangzhou")
    monkeypatch.setenv("S3_ADDRESSING_STYLE", "virtual")
    storage = env_storage("STORAGE_URL")
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"] == {
        "bucket_name": "guanjia-files",
        "location": "binjiang",
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
        "endpoint_url": "https://oss-cn-hangzhou.aliyuncs.com",
        "access_key": "key-id",
        "secret_key": "secret",
        "region_name": "cn-hangzhou",
        "addressing_style": "virtual",
    }


def test_an_s3_url_alone_leaves_credentials_and_region_to_boto3(monkeypatch):
    monkeypatch.setenv("STORAGE_URL", "s3://guanjia-files")
    options = env_storage("STORAGE_URL")["OPTIONS"]
    assert options["bucket_name"] == "guanjia-files" and options["location"] == ""
    assert not {"endpoint_url", "access_key", "secret_key", "region_name"} & set(options)


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"STORAGE_URL": "ftp://guanjia-files"}, "STORAGE_URL"),
        ({"STORAGE_URL": "s3://"}, "STORAGE_URL"),
        ({"STORAGE_URL": "s3://Guanjia_Files"}, "STORAGE_URL"),
        ({"STORAGE_URL": "s3://guanjia-files?acl=public-read"}, "STORAGE_URL"),
        ({"STORAGE_URL": "s3://guanjia-files/../etc"}, "STORAGE_URL"),
        ({"STORAGE_URL": "s3://guanjia-files", "S3_ENDPOINT_URL": "minio:9000"}, "S3_ENDPOINT_URL"),
        ({"STORAGE_URL": "s3://guanjia-files", "S3_ACCESS_KEY_ID": "key-id"}, "S3_SECRET_ACCESS_KEY"),
        ({"STORAGE_URL": "s3://guanjia-files", "S3_SECRET_ACCESS_KEY": "secret"}, "S3_ACCESS_KEY_ID"),
        ({"STORAGE_URL": "s3://guanjia-files", "S3_REGION": "cn north 1"}, "S3_REGION"),
        ({"STORAGE_URL": "s3://guanjia-files", "S3_ADDRESSING_STYLE": "dns"}, "S3_ADDRESSING_STYLE"),
        ({"S3_ENDPOINT_URL": "http://127.0.0.1:9000"}, "S3_ENDPOINT_URL"),  # an S3 server but no bucket
    ],
)
def test_a_bad_storage_value_is_refused_naming_the_variable(monkeypatch, variables, named):
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=named):
        env_storage("STORAGE_URL")


def test_credentials_in_the_url_are_refused_without_echoing_the_secret(monkeypatch):
    monkeypatch.setenv("STORAGE_URL", "s3://key-id:very-secret@guanjia-files")
    with pytest.raises(ImproperlyConfigured) as error:
        env_storage("STORAGE_URL")
    assert "S3_SECRET_ACCESS_KEY" in str(error.value) and "very-secret" not in str(error.value)


def settings_of(module: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    code = "import json, django; django.setup(); from django.conf import settings; print(json.dumps(settings.STORAGES))"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": module, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_keeps_files_where_storage_url_says_and_static_files_with_whitenoise(tmp_path):
    secrets_env = {
        "SECRET_KEY": secrets.token_urlsafe(64),
        "PII_HASH_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "guanjia.example.com",
        "GUANJIA_VAR_DIR": str(tmp_path),
    }
    local = settings_of("config.settings.production", **secrets_env)
    assert local.returncode == 0, local.stderr
    storages = json.loads(local.stdout.strip().splitlines()[-1])
    assert storages["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert storages["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"

    bucket = settings_of("config.settings.production", STORAGE_URL="s3://guanjia-files", **secrets_env)
    assert bucket.returncode == 0, bucket.stderr
    storages = json.loads(bucket.stdout.strip().splitlines()[-1])
    assert storages["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storages["default"]["OPTIONS"]["bucket_name"] == "guanjia-files"
    assert storages["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_a_bad_storage_url_stops_start_up_naming_it(tmp_path):
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, "GUANJIA_VAR_DIR": str(tmp_path), "STORAGE_URL": "s3://Not_A_Bucket"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "STORAGE_URL" in result.stderr and "Traceback" not in result.stderr
