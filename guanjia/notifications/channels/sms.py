"""SMS through Aliyun (阿里云短信, dysmsapi SendSms, RPC signature v1 HMAC-SHA1) or Tencent Cloud (腾讯云短信
SendSms 2021-01-11, TC3-HMAC-SHA256), as signed HTTP requests.

A Chinese SMS is sent from a template approved by the provider: Guanjia names its templates (``TEMPLATES``)
and ``settings.SMS_TEMPLATES`` maps each name to the provider's template code. The text here is what the
console prints and what a page quotes; the provider's approved template must say the same.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from guanjia.notifications.channels.base import ChannelError, NotConfigured, http_json


@dataclass(frozen=True)
class SmsTemplate:
    text: Any  # a lazy translation with %(name)s placeholders
    params: tuple[str, ...]  # the order Tencent's TemplateParamSet takes them in


TEMPLATES: dict[str, SmsTemplate] = {
    "pickup_code": SmsTemplate(
        _("您有%(what)s在%(project)s服务中心，取件码 %(code)s，凭码领取。"), ("what", "project", "code")
    ),
    "login_code": SmsTemplate(_("您的验证码为 %(code)s，5分钟内有效，请勿告诉他人。"), ("code",)),
    "alert": SmsTemplate(_("【管家提醒】%(title)s"), ("title",)),
}


def render(template: str, params: dict[str, str]) -> str:
    return str(TEMPLATES[template].text) % params


def provider() -> str:
    return str(getattr(settings, "SMS_PROVIDER", "") or "")


def configured() -> bool:
    name = provider()
    if name == "aliyun":
        return bool(settings.ALIYUN_SMS_ACCESS_KEY_ID and settings.ALIYUN_SMS_ACCESS_KEY_SECRET)
    if name == "tencent":
        return bool(settings.TENCENT_SMS_SECRET_ID and settings.TENCENT_SMS_SECRET_KEY)
    return False


def template_code(template: str) -> str:
    code = str(getattr(settings, "SMS_TEMPLATES", {}).get(template, ""))
    if not code:
        raise NotConfigured(f"no SMS template code for {template!r} (SMS_TEMPLATES)")
    return code


def send(payload: dict[str, Any], phone: str, now: datetime) -> str:
    """Send one templated SMS; returns the provider's message id."""
    template, params = payload["template"], payload["params"]
    if provider() == "aliyun":
        return aliyun_send(phone, template_code(template), params, now)
    if provider() == "tencent":
        ordered = [str(params.get(name, "")) for name in TEMPLATES[template].params]
        return tencent_send(phone, template_code(template), ordered, now)
    raise NotConfigured("SMS_PROVIDER is not set")


# --- Aliyun -----------------------------------------------------------------------------------------------

_ALIYUN_PERMANENT = {
    "isv.MOBILE_NUMBER_ILLEGAL",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.INVALID_PARAMETERS",
    "SignatureDoesNotMatch",
    "InvalidAccessKeyId.NotFound",
}


def aliyun_percent(value: str) -> str:
    """Aliyun's percentEncode: RFC 3986 unreserved characters kept, everything else %XX (space as %20)."""
    return quote(value, safe="-_.~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "GET") -> str:
    canonical = "&".join(f"{aliyun_percent(k)}={aliyun_percent(params[k])}" for k in sorted(params))
    to_sign = f"{method}&{aliyun_percent('/')}&{aliyun_percent(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def aliyun_send(phone: str, code: str, params: dict[str, str], now: datetime) -> str:
    query = {
        "AccessKeyId": settings.ALIYUN_SMS_ACCESS_KEY_ID,
        "Action": "SendSms",
        "Format": "JSON",
        "PhoneNumbers": phone,
        "RegionId": "cn-hangzhou",
        "SignName": settings.ALIYUN_SMS_SIGN_NAME,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": uuid.uuid4().hex,
        "SignatureVersion": "1.0",
        "TemplateCode": code,
        "TemplateParam": json.dumps(params, ensure_ascii=False, separators=(",", ":")),
        "Timestamp": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": "2017-05-25",
    }
    query["Signature"] = aliyun_signature(query, settings.ALIYUN_SMS_ACCESS_KEY_SECRET)
    body = http_json("GET", settings.ALIYUN_SMS_ENDPOINT, params=query)
    if body.get("Code") != "OK":
        code_ = str(body.get("Code", ""))
        raise ChannelError(f"{code_}: {body.get('Message', '')}"[:300], retryable=code_ not in _ALIYUN_PERMANENT)
    return str(body.get("BizId", ""))


# --- Tencent Cloud -----------------------------------------------------------------------------------------

_TENCENT_PERMANENT_PREFIXES = (
    "AuthFailure",
    "InvalidParameter",
    "FailedOperation.PhoneNumber",
    "UnauthorizedOperation",
)


def _hmac256(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def tencent_authorization(
    *, secret_id: str, secret_key: str, host: str, body: str, timestamp: int, action: str = "SendSms"
) -> str:
    """The TC3-HMAC-SHA256 Authorization header of a POST of ``body`` (JSON) to ``host``, service ``sms``."""
    content_type = "application/json; charset=utf-8"
    signed_headers = "content-type;host;x-tc-action"
    canonical_headers = f"content-type:{content_type}\nhost:{host}\nx-tc-action:{action.lower()}\n"
    canonical_request = "\n".join(
        ["POST", "/", "", canonical_headers, signed_headers, hashlib.sha256(body.encode()).hexdigest()]
    )
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    scope = f"{date}/sms/tc3_request"
    to_sign = "\n".join(
        ["TC3-HMAC-SHA256", str(timestamp), scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    key = _hmac256(_hmac256(_hmac256(f"TC3{secret_key}".encode(), date), "sms"), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"


def tencent_send(phone: str, code: str, params: list[str], now: datetime) -> str:
    endpoint = settings.TENCENT_SMS_ENDPOINT
    host = urlsplit(endpoint).netloc
    number = phone if phone.startswith("+") else f"+86{phone}"
    body = json.dumps(
        {
            "PhoneNumberSet": [number],
            "SmsSdkAppId": settings.TENCENT_SMS_SDK_APP_ID,
            "SignName": settings.TENCENT_SMS_SIGN_NAME,
            "TemplateId": code,
            "TemplateParamSet": params,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    timestamp = int(now.timestamp())
    headers = {
        "Authorization": tencent_authorization(
            secret_id=settings.TENCENT_SMS_SECRET_ID,
            secret_key=settings.TENCENT_SMS_SECRET_KEY,
            host=host,
            body=body,
            timestamp=timestamp,
        ),
        "Content-Type": "application/json; charset=utf-8",
        "Host": host,
        "X-TC-Action": "SendSms",
        "X-TC-Timestamp": str(timestamp),
        "X-TC-Version": "2021-01-11",
        "X-TC-Region": settings.TENCENT_SMS_REGION,
    }
    answer = http_json("POST", endpoint, data=body.encode(), headers=headers).get("Response") or {}
    error = answer.get("Error")
    if error:
        code_ = str(error.get("Code", ""))
        retryable = not code_.startswith(_TENCENT_PERMANENT_PREFIXES)
        raise ChannelError(f"{code_}: {error.get('Message', '')}"[:300], retryable=retryable)
    statuses = answer.get("SendStatusSet") or []
    if not statuses:
        raise ChannelError("no SendStatusSet in the answer")
    first = statuses[0]
    if first.get("Code") != "Ok":
        code_ = str(first.get("Code", ""))
        retryable = not code_.startswith(_TENCENT_PERMANENT_PREFIXES)
        raise ChannelError(f"{code_}: {first.get('Message', '')}"[:300], retryable=retryable)
    return str(first.get("SerialNo", ""))
