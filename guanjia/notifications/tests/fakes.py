"""Local fake providers for the channel tests: one http.server per provider on 127.0.0.1 (a free port), run
in a thread by the test itself. Each checks a request the way the provider documents it — the signature
recomputed from the shared secret, independently of the client code, and the required parameters — and
answers like the provider, with its success and error bodies. ``mode`` makes it misbehave: "error" (the
provider's refusal body, retryable), "http500".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlsplit

import pytest


class FakeServer:
    """A provider on 127.0.0.1; ``requests`` keeps what it received (method, path, query, headers, body)."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.requests: list[dict[str, Any]] = []
        self.accepted: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep the test output clean
                pass

            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                split = urlsplit(self.path)
                request = {
                    "method": method,
                    "path": split.path,
                    "query": dict(parse_qsl(split.query, keep_blank_values=True)),
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body,
                }
                server.requests.append(request)
                if server.mode == "http500":
                    status, answer = 500, {"message": "internal error"}
                else:
                    status, answer = server.answer(request)
                data = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def answer(self, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        raise NotImplementedError

    def start(self) -> FakeServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# --- Aliyun dysmsapi SendSms (RPC, signature v1) ------------------------------------------------------------


def _aliyun_encode(value: str) -> str:
    # The documented recipe: URL-encode (UTF-8), then "+" → "%20", "*" → "%2A", "%7E" → "~".
    return quote_plus(value, safe="*").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


class FakeAliyunSms(FakeServer):
    KEY_ID = "LTAI-test-key"
    SECRET = "aliyun-test-secret"
    REQUIRED = (
        "AccessKeyId",
        "Action",
        "Format",
        "PhoneNumbers",
        "SignName",
        "SignatureMethod",
        "SignatureNonce",
        "SignatureVersion",
        "TemplateCode",
        "Timestamp",
        "Version",
        "Signature",
    )

    def __init__(self) -> None:
        super().__init__()
        self.nonces: set[str] = set()

    def answer(self, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        q = request["query"]
        rid = {"RequestId": f"REQ-{len(self.requests)}"}
        if request["method"] != "GET":
            return 400, {**rid, "Code": "UnsupportedHTTPMethod", "Message": "GET expected"}
        missing = [k for k in self.REQUIRED if not q.get(k)]
        if missing:
            return 400, {**rid, "Code": "MissingParameter", "Message": f"{missing[0]} is mandatory"}
        if (q["Action"], q["Version"], q["SignatureMethod"], q["SignatureVersion"]) != (
            "SendSms",
            "2017-05-25",
            "HMAC-SHA1",
            "1.0",
        ):
            return 400, {**rid, "Code": "InvalidParameter", "Message": "Action/Version/SignatureMethod"}
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", q["Timestamp"]):
            return 400, {**rid, "Code": "InvalidTimeStamp.Format", "Message": "Timestamp is not ISO8601 UTC"}
        if q["AccessKeyId"] != self.KEY_ID:
            return 404, {**rid, "Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key is not found."}
        params = {k: v for k, v in q.items() if k != "Signature"}
        canonical = "&".join(f"{_aliyun_encode(k)}={_aliyun_encode(params[k])}" for k in sorted(params))
        string_to_sign = "GET&%2F&" + _aliyun_encode(canonical)
        expected = base64.b64encode(
            hmac.new((self.SECRET + "&").encode(), string_to_sign.encode(), hashlib.sha1).digest()
        ).decode()
        if not hmac.compare_digest(expected, q["Signature"]):
            return 400, {
                **rid,
                "Code": "SignatureDoesNotMatch",
                "Message": "Specified signature is not matched with our calculation.",
            }
        if q["SignatureNonce"] in self.nonces:
            return 400, {**rid, "Code": "SignatureNonceUsed", "Message": "Specified signature nonce was used already."}
        self.nonces.add(q["SignatureNonce"])
        if "TemplateParam" in q:
            try:
                json.loads(q["TemplateParam"])
            except ValueError:
                return 200, {**rid, "Code": "isv.INVALID_JSON_PARAM", "Message": "JSON参数不合法"}
        if not re.fullmatch(r"1\d{10}", q["PhoneNumbers"]):
            return 200, {**rid, "Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}
        if self.mode == "error":
            return 200, {**rid, "Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控Permits:1"}
        self.accepted.append(q)
        return 200, {**rid, "Code": "OK", "Message": "OK", "BizId": f"900619746936498440^{len(self.accepted)}"}


# --- Tencent Cloud SMS SendSms 2021-01-11 (TC3-HMAC-SHA256) ----------------------------------------------------

_AUTH = re.compile(
    r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d\d-\d\d)/sms/tc3_request, "
    r"SignedHeaders=([a-z;-]+), Signature=([0-9a-f]{64})"
)


class FakeTencentSms(FakeServer):
    SECRET_ID = "AKID-test"
    SECRET_KEY = "tencent-test-key"
    APP_ID = "1400000001"

    def answer(self, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        h, rid = request["headers"], f"req-{len(self.requests)}"

        def error(code: str, message: str) -> tuple[int, dict[str, Any]]:
            return 200, {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": rid}}

        for name in ("authorization", "x-tc-action", "x-tc-timestamp", "x-tc-version", "host", "content-type"):
            if not h.get(name):
                return error("MissingParameter", f"header {name} is missing")
        if request["method"] != "POST" or h["x-tc-action"] != "SendSms" or h["x-tc-version"] != "2021-01-11":
            return error("InvalidAction", "SendSms 2021-01-11 by POST expected")
        found = _AUTH.fullmatch(h["authorization"])
        if not found:
            return error("AuthFailure.InvalidAuthorization", "Authorization malformed")
        secret_id, date, signed_headers, signature = found.groups()
        if secret_id != self.SECRET_ID:
            return error("AuthFailure.SecretIdNotFound", "The SecretId is not found")
        timestamp = int(h["x-tc-timestamp"])
        if datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d") != date:
            return error("AuthFailure.InvalidAuthorization", "the credential date is not the timestamp's")
        names = signed_headers.split(";")
        if "content-type" not in names or "host" not in names:
            return error("AuthFailure.InvalidAuthorization", "content-type and host must be signed")
        canonical_headers = "".join(f"{n}:{h.get(n, '').strip().lower()}\n" for n in names)
        canonical = "\n".join(
            ["POST", "/", "", canonical_headers, signed_headers, hashlib.sha256(request["body"]).hexdigest()]
        )
        to_sign = (
            f"TC3-HMAC-SHA256\n{timestamp}\n{date}/sms/tc3_request\n" + hashlib.sha256(canonical.encode()).hexdigest()
        )

        def mac(key: bytes, msg: str) -> bytes:
            return hmac.new(key, msg.encode(), hashlib.sha256).digest()

        key = mac(mac(mac(("TC3" + self.SECRET_KEY).encode(), date), "sms"), "tc3_request")
        if not hmac.compare_digest(hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest(), signature):
            return error("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")
        body = json.loads(request["body"])
        for name in ("PhoneNumberSet", "SmsSdkAppId", "TemplateId", "SignName"):
            if not body.get(name):
                return error("MissingParameter", f"The request is missing a required parameter `{name}`.")
        if body["SmsSdkAppId"] != self.APP_ID:
            return error("FailedOperation.SmsSdkAppIdVerifyFail", "SdkAppId verify fail")
        statuses = []
        for number in body["PhoneNumberSet"]:
            if not re.fullmatch(r"\+861\d{10}", number):
                code, message = "InvalidParameterValue.IncorrectPhoneNumber", "incorrect number"
            elif self.mode == "error":
                code, message = "LimitExceeded.PhoneNumberThirtySecondLimit", "30 seconds limit"
            else:
                code, message = "Ok", "send success"
                self.accepted.append(body)
            statuses.append(
                {
                    "SerialNo": f"5000:10457106691570536578494996{len(self.requests)}",
                    "PhoneNumber": number,
                    "Fee": 1,
                    "SessionContext": "",
                    "Code": code,
                    "Message": message,
                    "IsoCode": "CN",
                }
            )
        return 200, {"Response": {"SendStatusSet": statuses, "RequestId": rid}}


# --- 企业微信 group robot ---------------------------------------------------------------------------------------


class FakeWecomRobot(FakeServer):
    KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"

    @property
    def webhook_url(self) -> str:
        return f"{self.url}cgi-bin/webhook/send?key={self.KEY}"

    def answer(self, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if request["path"] != "/cgi-bin/webhook/send" or request["query"].get("key") != self.KEY:
            return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
        try:
            body = json.loads(request["body"])
        except ValueError:
            return 200, {"errcode": 40008, "errmsg": "invalid message type"}
        msgtype = body.get("msgtype")
        if msgtype not in ("text", "markdown"):
            return 200, {"errcode": 40008, "errmsg": "invalid message type"}
        content = (body.get(msgtype) or {}).get("content", "")
        if not content:
            return 200, {"errcode": 44004, "errmsg": "empty content"}
        if len(content.encode()) > 4096:
            return 200, {"errcode": 40058, "errmsg": "content exceed max length"}
        if self.mode == "error":
            return 200, {"errcode": 45009, "errmsg": "api freq out of limit"}
        self.accepted.append(body)
        return 200, {"errcode": 0, "errmsg": "ok"}


# --- WeChat 公众号 -------------------------------------------------------------------------------------------------


class FakeWechatMp(FakeServer):
    APP_ID = "wx-test-app"
    SECRET = "wx-test-secret"

    def __init__(self) -> None:
        super().__init__()
        self.tokens: list[str] = []

    @property
    def api_base(self) -> str:
        return f"{self.url}cgi-bin/"

    def answer(self, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        q = request["query"]
        if request["path"] == "/cgi-bin/token" and request["method"] == "GET":
            if q.get("grant_type") != "client_credential":
                return 200, {"errcode": 40002, "errmsg": "invalid grant_type"}
            if q.get("appid") != self.APP_ID:
                return 200, {"errcode": 40013, "errmsg": "invalid appid"}
            if q.get("secret") != self.SECRET:
                return 200, {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
            self.tokens.append(f"TOKEN-{len(self.tokens) + 1}")
            return 200, {"access_token": self.tokens[-1], "expires_in": 7200}
        if request["path"] == "/cgi-bin/message/template/send" and request["method"] == "POST":
            if not self.tokens or q.get("access_token") != self.tokens[-1]:
                return 200, {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
            body = json.loads(request["body"])
            if not body.get("touser"):
                return 200, {"errcode": 40003, "errmsg": "invalid openid"}
            if not body.get("template_id"):
                return 200, {"errcode": 40037, "errmsg": "invalid template_id"}
            data = body.get("data")
            if not isinstance(data, dict) or not all(isinstance(v, dict) and "value" in v for v in data.values()):
                return 200, {"errcode": 47001, "errmsg": "data format error"}
            if self.mode == "error":
                return 200, {"errcode": 43004, "errmsg": "require subscribe"}
            self.accepted.append(body)
            return 200, {"errcode": 0, "errmsg": "ok", "msgid": 200228332 + len(self.accepted)}
        return 404, {"errcode": 404, "errmsg": "not found"}


# --- An integration receiving Guanjia's webhooks -----------------------------------------------------------------


class FakeWebhookReceiver(FakeServer):
    SECRET = "webhook-test-secret"

    def answer(self, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        given = request["headers"].get("x-guanjia-signature", "")
        expected = "sha256=" + hmac.new(self.SECRET.encode(), request["body"], hashlib.sha256).hexdigest()
        if not hmac.compare_digest(given, expected):
            return 401, {"error": "bad signature"}
        body = json.loads(request["body"])
        if body.get("event") != request["headers"].get("x-guanjia-event"):
            return 400, {"error": "event header and body differ"}
        if self.mode == "error":
            return 503, {"error": "busy"}
        self.accepted.append(body)
        return 200, {"ok": True}


def _run(server: FakeServer) -> Iterator[Any]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fake_aliyun(settings: Any) -> Iterator[FakeAliyunSms]:
    yield from aliyun_on(settings)


def aliyun_on(settings: Any) -> Iterator[FakeAliyunSms]:
    """Run the Aliyun fake and point the SMS settings at it (for fixtures of other apps' tests)."""
    server = FakeAliyunSms()
    settings.SMS_PROVIDER = "aliyun"
    settings.ALIYUN_SMS_ACCESS_KEY_ID = server.KEY_ID
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = server.SECRET
    settings.ALIYUN_SMS_SIGN_NAME = "管家物业"
    settings.ALIYUN_SMS_ENDPOINT = server.url
    settings.SMS_TEMPLATES = {"pickup_code": "SMS_100001", "login_code": "SMS_100002", "alert": "SMS_100003"}
    yield from _run(server)


@pytest.fixture
def fake_tencent(settings: Any) -> Iterator[FakeTencentSms]:
    server = FakeTencentSms()
    settings.SMS_PROVIDER = "tencent"
    settings.TENCENT_SMS_SECRET_ID = server.SECRET_ID
    settings.TENCENT_SMS_SECRET_KEY = server.SECRET_KEY
    settings.TENCENT_SMS_SDK_APP_ID = server.APP_ID
    settings.TENCENT_SMS_SIGN_NAME = "管家物业"
    settings.TENCENT_SMS_ENDPOINT = server.url
    settings.SMS_TEMPLATES = {"pickup_code": "1100001", "login_code": "1100002", "alert": "1100003"}
    yield from _run(server)


@pytest.fixture
def fake_wecom(settings: Any) -> Iterator[FakeWecomRobot]:
    server = FakeWecomRobot()
    settings.WECOM_ROBOT_WEBHOOK_URL = server.webhook_url
    settings.WECOM_ROBOT_LEVELS = ["urgent"]
    yield from _run(server)


@pytest.fixture
def fake_wechat(settings: Any) -> Iterator[FakeWechatMp]:
    from django.core.cache import cache

    server = FakeWechatMp()
    settings.WECHAT_MP_APP_ID = server.APP_ID
    settings.WECHAT_MP_APP_SECRET = server.SECRET
    settings.WECHAT_MP_API_BASE = server.api_base
    settings.WECHAT_MP_TEMPLATES = {"parcel_waiting": "tmpl-parcel-1"}
    cache.clear()
    yield from _run(server)
    cache.clear()


@pytest.fixture
def fake_webhook(settings: Any) -> Iterator[FakeWebhookReceiver]:
    server = FakeWebhookReceiver()
    settings.OUTBOUND_WEBHOOK_URLS = [f"{server.url}hooks/guanjia"]
    settings.OUTBOUND_WEBHOOK_SECRET = server.SECRET
    yield from _run(server)
