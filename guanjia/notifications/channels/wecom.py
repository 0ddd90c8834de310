"""企业微信 group robot (群机器人): staff alerts posted to a group chat through its webhook address
(``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…``), msgtype text or markdown."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from guanjia.notifications.channels.base import ChannelError, NotConfigured, http_json

MAX_BYTES = 4096  # the robot refuses longer content


def configured() -> bool:
    return bool(getattr(settings, "WECOM_ROBOT_WEBHOOK_URL", ""))


def _clip(text: str) -> str:
    data = text.encode()
    if len(data) <= MAX_BYTES:
        return text
    return data[: MAX_BYTES - 3].decode(errors="ignore") + "…"


def send(payload: dict[str, Any], url: str) -> str:
    if not url:
        raise NotConfigured("WECOM_ROBOT_WEBHOOK_URL is not set")
    msgtype = payload.get("msgtype", "markdown")
    body = {"msgtype": msgtype, msgtype: {"content": _clip(str(payload.get("content", "")))}}
    answer = http_json("POST", url, json=body)
    if answer.get("errcode") != 0:
        # 93000 invalid webhook url / 93004 robot removed: trying again does not help; 45009 rate limit does.
        retryable = answer.get("errcode") not in (93000, 93004, 40008, 44004)
        raise ChannelError(f"{answer.get('errcode')}: {answer.get('errmsg', '')}"[:300], retryable=retryable)
    return ""
