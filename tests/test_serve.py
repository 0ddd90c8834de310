"""`make run` serves the product: the serve command answers pages and local static assets."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

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
