"""WeChat 公众号 template messages (模板消息) for residents, through wechatpy's client.

The API base is configurable (``WECHAT_MP_API_BASE``) so tests talk to a local fake; the access token is
fetched with the app id and secret and kept in Django's cache until shortly before it expires, shared by the
processes that share the cache.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from guanjia.notifications.channels.base import ChannelError, NotConfigured


class DjangoCacheStorage(SessionStorage):
    """wechatpy's token storage on Django's cache."""

    prefix = "wechatpy:"

    def get(self, key: str, default: Any = None) -> Any:
        return cache.get(self.prefix + key, default)

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        # Expire a minute early: a token handed out must still be valid when the provider reads it.
        cache.set(self.prefix + key, value, None if ttl is None else max(int(ttl) - 60, 1))

    def delete(self, key: str) -> None:
        cache.delete(self.prefix + key)


class Client(WeChatClient):
    """wechatpy's client with every address under ``api_base`` (the token URL too)."""

    def __init__(self, appid: str, secret: str, api_base: str) -> None:
        self.API_BASE_URL = api_base if api_base.endswith("/") else api_base + "/"
        super().__init__(appid, secret, session=DjangoCacheStorage(), timeout=settings.NOTIFY_HTTP_TIMEOUT)

    def fetch_access_token(self) -> dict[str, Any]:
        return self._fetch_access_token(
            url=f"{self.API_BASE_URL}token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )


def configured() -> bool:
    return bool(getattr(settings, "WECHAT_MP_APP_ID", "") and getattr(settings, "WECHAT_MP_APP_SECRET", ""))


def template_id(template: str) -> str:
    found = str(getattr(settings, "WECHAT_MP_TEMPLATES", {}).get(template, ""))
    if not found:
        raise NotConfigured(f"no 公众号 template id for {template!r} (WECHAT_MP_TEMPLATES)")
    return found


def client() -> Client:
    return Client(settings.WECHAT_MP_APP_ID, settings.WECHAT_MP_APP_SECRET, settings.WECHAT_MP_API_BASE)


def send(payload: dict[str, Any], openid: str) -> str:
    if not configured():
        raise NotConfigured("WECHAT_MP_APP_ID / WECHAT_MP_APP_SECRET are not set")
    data = {key: {"value": str(value)} for key, value in (payload.get("data") or {}).items()}
    try:
        answer = client().message.send_template(
            openid, template_id(payload["template"]), data, url=payload.get("url") or None
        )
    except WeChatClientException as exc:
        # 40003 invalid openid, 43004 not following the 公众号: trying again does not help.
        permanent = exc.errcode in (40003, 40037, 43004, 43101)
        raise ChannelError(f"{exc.errcode}: {exc.errmsg}"[:300], retryable=not permanent) from exc
    except Exception as exc:  # requests' errors and friends
        raise ChannelError(f"network: {type(exc).__name__}") from exc
    if not isinstance(answer, dict) or answer.get("errcode", 0) != 0:
        raise ChannelError(f"unexpected answer: {answer!r}"[:300])
    return str(answer.get("msgid", ""))
