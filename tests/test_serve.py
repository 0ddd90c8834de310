"""`make run` serves the product: the serve command answers pages and local static assets."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from config.dev_keys import DEVELOPMENT_PII_HASH_KEY, DEVELOPMENT_SECRET_KEY

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_the_login_page_and_serves_assets_locally(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env["GUANJIA_VAR_DIR"] = str(tmp_path)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port), "--no-sweeper"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        with urllib.request.urlopen(f"{base}/login/", timeout=5) as response:  # noqa: S310
            page = response.read().decode()
        assert "登录" in page
        with urllib.request.urlopen(f"{base}/static/vendor/htmx.min.js", timeout=5) as response:  # noqa: S310
            assert response.status == 200
        assert "cdn" not in page.lower()
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert "guanjia123" in output or "密码" in output  # it told the user how to log in
    assert f"http://127.0.0.1:{port}" in output and ":8000" not in output  # at the address it really serves


def test_make_run_passes_its_port_to_the_demo_banner_and_the_server():
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    result = subprocess.run(
        ["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    commands = result.stdout.splitlines()
    load_demo = next(line for line in commands if "manage.py load_demo" in line)
    serve = next(line for line in commands if "manage.py serve" in line)
    assert "--port 8123" in load_demo and "--port 8123" in serve


def serve_env(tmp_path, **keys: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "PII_HASH_KEY"}
    }
    return {**env, "GUANJIA_VAR_DIR": str(tmp_path), **keys}


@pytest.mark.parametrize(
    ("keys", "named"),
    [
        ({}, "SECRET_KEY / PII_HASH_KEY"),
        ({"SECRET_KEY": "a-real-secret-key-of-this-office-0123456789-abcdefghijklmnop"}, "PII_HASH_KEY"),
        ({"PII_HASH_KEY": "a-real-pii-hash-key-of-this-office-0123456789"}, "SECRET_KEY"),
    ],
)
def test_serve_refuses_other_machines_while_a_published_development_key_is_in_effect(tmp_path, keys, named):
    port = free_port()
    result = subprocess.run(
        [sys.executable, "manage.py", "serve", "--host", "0.0.0.0", "--port", str(port), "--no-sweeper"],  # noqa: S104
        cwd=ROOT,
        env=serve_env(tmp_path, **keys),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert named in result.stderr and "0.0.0.0" in result.stderr  # noqa: S104
    assert "请先把环境变量 SECRET_KEY 和 PII_HASH_KEY 设为" in result.stderr  # Chinese …
    assert "Set the environment variables SECRET_KEY and PII_HASH_KEY" in result.stderr  # … and English
    assert "Traceback" not in result.stderr
    assert "Serving on" not in result.stdout


@pytest.mark.parametrize(
    ("host", "secret_key", "pii_hash_key", "refused"),
    [
        ("127.0.0.1", DEVELOPMENT_SECRET_KEY, DEVELOPMENT_PII_HASH_KEY, False),
        ("127.8.9.10", DEVELOPMENT_SECRET_KEY, DEVELOPMENT_PII_HASH_KEY, False),
        ("::1", DEVELOPMENT_SECRET_KEY, DEVELOPMENT_PII_HASH_KEY, False),
        ("[::1]", DEVELOPMENT_SECRET_KEY, DEVELOPMENT_PII_HASH_KEY, False),
        ("localhost", DEVELOPMENT_SECRET_KEY, DEVELOPMENT_PII_HASH_KEY, False),
        ("0.0.0.0", DEVELOPMENT_SECRET_KEY, DEVELOPMENT_PII_HASH_KEY, True),  # noqa: S104
        ("::", DEVELOPMENT_SECRET_KEY, DEVELOPMENT_PII_HASH_KEY, True),
        ("192.168.1.20", DEVELOPMENT_SECRET_KEY, "own-pii-key-0123456789-abcdefghijkl", True),
        (
            "desk.example.com",
            "own-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123",
            DEVELOPMENT_PII_HASH_KEY,
            True,
        ),
        ("0.0.0.0", "own-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123", "own-pii-key-0123456789-ab", False),  # noqa: S104
    ],
)
def test_published_keys_are_served_only_to_this_machine(settings, host, secret_key, pii_hash_key, refused):
    from django.core.management.base import CommandError

    from guanjia.desk.management.commands.serve import refuse_published_keys

    settings.SECRET_KEY = secret_key
    settings.PII_HASH_KEY = pii_hash_key
    if refused:
        with pytest.raises(CommandError, match="SECRET_KEY"):
            refuse_published_keys(host)
    else:
        refuse_published_keys(host)
