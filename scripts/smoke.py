"""Smoke test of a running deployment, through HTTP only, as a person and an integration would use it.

    python scripts/smoke.py http://127.0.0.1:8000 USERNAME PASSWORD

It speaks to the app as the proxy in front of it does (``X-Forwarded-Proto: https``), keeps the session cookie
itself (production cookies are Secure), and checks: the login page and a static asset under its hashed name; a
token and an API call with it; a complaint created through the API and then seen on the board by the same person
logged in through the login form; ``/readyz`` answering 200. Standard library only: it runs from the runtime
lock. Exits non-zero naming the step that failed.
"""

from __future__ import annotations

import http.client
import json
import re
import sys
import time
import urllib.parse
from dataclasses import dataclass, field


class SmokeError(Exception):
    pass


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> dict:
        return json.loads(self.body)


class Client:
    def __init__(self, base: str) -> None:
        parsed = urllib.parse.urlsplit(base)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, body: bytes | None = None, headers: dict[str, str] | None = None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        sent = {"X-Forwarded-Proto": "https", "Host": f"{self.host}:{self.port}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=sent)
            raw = conn.getresponse()
            response = Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, raw.read())
            for header, value in raw.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
        finally:
            conn.close()
        return response


def expect(condition: bool, step: str, detail: str = "") -> None:
    if not condition:
        raise SmokeError(f"{step}: {detail}"[:2000])
    print(f"ok  {step}")


def wait_until_ready(client: Client, seconds: float) -> Response:
    deadline = time.monotonic() + seconds
    last: Response | str = "no answer"
    while time.monotonic() < deadline:
        try:
            answer = client.request("GET", "/readyz")
        except OSError as error:
            last = str(error)
        else:
            if answer.status == 200:
                return answer
            last = answer
        time.sleep(2)
    detail = last if isinstance(last, str) else f"{last.status} {last.text}"
    raise SmokeError(f"/readyz did not answer 200 within {seconds:.0f} s: {detail}")


def main(base: str, username: str, password: str) -> None:
    web = Client(base)
    ready = wait_until_ready(web, 120)
    expect(ready.json().get("status") == "ok", "/readyz answers 200 with every check ok", ready.text)
    expect(web.request("GET", "/healthz").status == 200, "/healthz answers 200")

    login = web.request("GET", "/login/")
    expect(login.status == 200 and "csrfmiddlewaretoken" in login.text, "the login page answers", str(login.status))
    assets = re.findall(r'src="(/static/[^"]+\.[0-9a-f]{12}\.js)"', login.text)
    expect(bool(assets), "the login page names its scripts by their hashed names", login.text[:500])
    asset = web.request("GET", assets[0])
    expect(asset.status == 200 and len(asset.body) > 100, f"a static asset is served ({assets[0]})", str(asset.status))
    caching = asset.headers.get("cache-control", "")
    expect("max-age" in caching, "the hashed asset may be cached", caching)

    api = Client(base)
    token = api.request(
        "POST",
        "/api/v1/auth/token",
        body=json.dumps({"username": username, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    expect(token.status == 200, "an API token is issued", f"{token.status} {token.text}")
    auth = {"Authorization": f"Token {token.json()['token']}", "Content-Type": "application/json"}
    projects = api.request("GET", "/api/v1/projects/", headers=auth)
    expect(projects.status == 200 and projects.json()["results"], "the API answers with the token", projects.text)
    project = projects.json()["results"][0]["id"]
    created = api.request(
        "POST",
        "/api/v1/complaints/",
        headers=auth,
        body=json.dumps(
            {
                "project": project,
                "customer_name": "冒烟测试",
                "contact_phone": "13800138000",
                "channel": "phone",
                "description": "冒烟测试：楼道灯不亮",
                "location": "1号楼大堂",
                "against_department": "engineering",
            }
        ).encode(),
    )
    expect(created.status == 201, "a complaint is created through the API", f"{created.status} {created.text}")
    number = created.json()["number"]

    csrf = web.cookies.get("csrftoken", "")
    form = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": csrf})
    signed_in = web.request(
        "POST",
        "/login/",
        body=form.encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"https://{web.host}:{web.port}/login/",
        },
    )
    expect(signed_in.status == 302 and "sessionid" in web.cookies, "the login form signs in", str(signed_in.status))
    board = web.request("GET", "/complaints/board/")
    expect(board.status == 200 and number in board.text, f"complaint {number} is on the board", str(board.status))
    print(f"smoke test passed against {base}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    try:
        main(*sys.argv[1:])
    except SmokeError as error:
        sys.exit(f"SMOKE TEST FAILED · {error}")
