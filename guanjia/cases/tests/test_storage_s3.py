"""Files across hosts: with STORAGE_URL=s3://… every signature, photo and kept export goes to an S3-compatible
bucket, privately, and comes back through the same login-checked views; nothing is written to local disk.

The bucket is a real S3 server (moto's server mode) started by the test on 127.0.0.1 with fake credentials:
no call leaves the machine.
"""

from __future__ import annotations

import socket

import boto3
import pytest
from django.test import Client

from config.env import env_storage
from guanjia.cases.tests.test_files import make_files

BUCKET = "guanjia-files"
PREFIX = "binjiang"
CREDENTIALS = {"aws_access_key_id": "testing-key-id", "aws_secret_access_key": "testing-secret"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint, settings, monkeypatch, tmp_path):
    """The default storage is the bucket, configured from the environment as in production."""
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **CREDENTIALS)
    if BUCKET not in [b["Name"] for b in client.list_buckets()["Buckets"]]:
        client.create_bucket(Bucket=BUCKET)
    for name, value in {
        "STORAGE_URL": f"s3://{BUCKET}/{PREFIX}",
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
        "S3_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        "S3_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": env_storage("STORAGE_URL")}
    yield client
    listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for item in listed:
        client.delete_object(Bucket=BUCKET, Key=item["Key"])


def keys(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def download(user, url: str) -> tuple[int, bytes]:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    content = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    return response.status_code, content


def test_files_are_kept_privately_in_the_bucket_and_served_only_through_the_checked_views(world, s3, settings):
    files = make_files(world)  # a complaint's, a repair's and a visit's signature, a repair photo, an export

    stored = keys(s3)
    assert len(stored) == 5 and all(key.startswith(f"{PREFIX}/") for key in stored)
    assert any(key.startswith(f"{PREFIX}/exports/") and key.endswith(".xlsx") for key in stored)
    assert any(key.startswith(f"{PREFIX}/repairs/") and key.endswith(".jpg") for key in stored)
    assert not (settings.MEDIA_ROOT).exists() or not any(settings.MEDIA_ROOT.iterdir())  # nothing on local disk
    for key in stored:
        grants = s3.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
        assert not [g for g in grants if "AllUsers" in g["Grantee"].get("URI", "")], key  # not public

    allowed = {
        "complaint_signature": world.front_desk,
        "repair_photo": world.technician,
        "repair_signature": world.front_desk,
        "visit_signature": world.butler,
        "export": world.office_manager,
    }
    for kind, user in allowed.items():
        in_bucket = s3.get_object(Bucket=BUCKET, Key=f"{PREFIX}/{files.names[kind]}")["Body"].read()
        assert in_bucket == files.stored[kind]
        assert download(user, files.urls[kind]) == (200, in_bucket)
        status, content = download(None, files.urls[kind])
        assert status == 302 and in_bucket not in content
        if kind != "export":  # the outsider is a front desk, who exports nothing anywhere
            status, content = download(world.outsider, files.urls[kind])
            assert status == 404 and in_bucket not in content


def test_a_file_lost_from_the_bucket_is_a_404(world, s3):
    files = make_files(world)
    signature_key = next(k for k in keys(s3) if k.startswith(f"{PREFIX}/signatures/complaints/"))
    s3.delete_object(Bucket=BUCKET, Key=signature_key)
    assert download(world.front_desk, files.urls["complaint_signature"])[0] == 404
