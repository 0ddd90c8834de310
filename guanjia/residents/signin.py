"""Signing a resident in with a one-time code sent to the phone on file.

Nothing here may tell a stranger whether a phone is in the archive: a code is generated, hashed and stored for
every well-formed mobile number, the limits count every request alike, and only the SMS itself (which the
stranger never sees) depends on the archive. A wrong code, an expired one and a code for an unknown phone all
get the same answer.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanjia.core import clean
from guanjia.core.errors import NotPossible
from guanjia.estates.models import CustomerPhone
from guanjia.notifications.outbox import send_sms
from guanjia.residents.models import CONSENT_VERSION, PrivacyConsent, ResidentSession, SignInCode

CODE_LIFETIME = timedelta(minutes=5)
#: At most one code a minute and five an hour per phone, thirty an hour per client address.
PHONE_INTERVAL = timedelta(seconds=60)
PHONE_PER_HOUR = 5
CLIENT_PER_HOUR = 30
#: Wrong codes allowed against one code before it is spent.
MAX_ATTEMPTS = 5
#: A resident stays signed in this long (token and page session alike), then signs in again with a new code.
SESSION_LIFETIME = timedelta(days=30)


class TooManyRequests(NotPossible):
    """A limit per phone or per client was reached (429)."""


def _digest(value: str) -> str:
    key = getattr(settings, "PII_HASH_KEY", "") or settings.SECRET_KEY
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


def _code_hash(phone: str, code: str) -> str:
    return _digest(f"resident-code:{phone}:{code}")


def mobile(raw: object, field: str = "phone") -> str:
    """A mainland mobile number (11 digits starting with 1), or a ValidationError on ``field``."""
    number = clean.phone(raw, field)
    if not (len(number) == 11 and number.startswith("1") and number.isdigit()):
        raise ValidationError({field: [_("请输入11位手机号码")]})
    return number


def phone_is_known(phone: str) -> bool:
    return CustomerPhone.objects.filter(number=phone).exists()


def _send_code(phone: str, code: str, now: datetime) -> None:
    """The one place a sign-in code leaves: the durable SMS outbox (``notifications.outbox.send_sms``, template
    ``login_code``), queued in the caller's transaction. With no SMS provider configured the text is printed on
    the server console only; the outbox blanks the code once the row is done."""
    send_sms(phone=phone, template="login_code", params={"code": code}, now=now, kind="resident.sign_in_code")


def code_request(*, phone: object, client_ip: str, now: datetime) -> None:
    """Send a one-time code to ``phone`` if it is on file; the same work and answer either way.

    Raises ValidationError for a malformed number and TooManyRequests past a limit (per phone, per client)."""
    number = mobile(phone)
    hour_ago = now - timedelta(hours=1)
    recent = SignInCode.objects.filter(phone=number, created_at__gt=hour_ago)
    if recent.filter(created_at__gt=now - PHONE_INTERVAL).exists() or recent.count() >= PHONE_PER_HOUR:
        raise TooManyRequests(_("验证码发送过于频繁，请稍后再试。"))
    if client_ip and SignInCode.objects.filter(client_ip=client_ip, created_at__gt=hour_ago).count() >= (
        CLIENT_PER_HOUR
    ):
        raise TooManyRequests(_("验证码发送过于频繁，请稍后再试。"))
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        SignInCode.objects.create(
            phone=number,
            code_hash=_code_hash(number, code),
            client_ip=client_ip,
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
        if phone_is_known(number):
            _send_code(number, code, now)


def code_verify(*, phone: object, code: object, now: datetime) -> str:
    """Spend the latest unexpired code of ``phone`` if ``code`` is it; return the phone. One answer for every
    failure (wrong, expired, used, too many attempts, unknown phone): a ValidationError on ``code``."""
    refused = ValidationError({"code": [_("验证码错误或已失效，请重新获取。")]})
    try:
        number = mobile(phone)
    except ValidationError:
        raise refused from None
    typed = str(code or "").strip()
    with transaction.atomic():
        row = (
            SignInCode.objects.select_for_update()
            .filter(phone=number, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at", "-id")
            .first()
        )
        if row is None or row.attempts >= MAX_ATTEMPTS:
            raise refused
        if not (len(typed) == 6 and hmac.compare_digest(row.code_hash, _code_hash(number, typed))):
            # The failed attempt must count although the answer is an error: it commits, then we refuse.
            SignInCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
            wrong = True
        else:
            row.used_at = now
            row.save(update_fields=["used_at"])
            wrong = False
    if wrong or not phone_is_known(number):
        raise refused
    return number


def session_start(*, phone: str, now: datetime) -> tuple[ResidentSession, str]:
    """A new resident session for a verified phone: the row and its token (shown once, stored hashed)."""
    key = secrets.token_hex(20)
    session = ResidentSession.objects.create(key_hash=_digest(f"resident-token:{key}"), phone=phone, created_at=now)
    return session, key


def live_sessions(now: datetime | None = None) -> QuerySet[ResidentSession]:
    """Sessions not ended and younger than ``SESSION_LIFETIME``."""
    since = (now or timezone.now()) - SESSION_LIFETIME
    return ResidentSession.objects.filter(ended_at__isnull=True, created_at__gt=since)


def session_for_token(key: str) -> ResidentSession | None:
    if not key:
        return None
    return live_sessions().filter(key_hash=_digest(f"resident-token:{key}")).first()


def session_end(*, session: ResidentSession, now: datetime) -> None:
    ResidentSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(ended_at=now)


def consent_given(phone: str) -> PrivacyConsent | None:
    return PrivacyConsent.objects.filter(phone=phone, version=CONSENT_VERSION).first()


def consent_record(*, phone: str, client_ip: str, now: datetime) -> PrivacyConsent:
    consent, _created = PrivacyConsent.objects.get_or_create(
        phone=phone, version=CONSENT_VERSION, defaults={"accepted_at": now, "client_ip": client_ip}
    )
    return consent
