"""The durable outbox: queue a message for a channel in the caller's transaction, and deliver due rows.

``enqueue`` writes a ``Delivery`` row (``not_configured`` at once when its channel is off: the text is then
printed on the server console, and a page says so). ``deliver_due(now)`` is run by the periodic sweep (the
in-process thread on the embedded default, the Celery beat with Redis) and right after a commit; it claims
each due row with a conditional UPDATE (queued → sending), so two workers never send the same row, sends it,
and records the provider's answer. A refusal is retried after 1×, 2×, 4×… ``NOTIFY_RETRY_SECONDS`` (at most
an hour) until ``NOTIFY_MAX_ATTEMPTS``, then the row is failed.
"""

from __future__ import annotations

import logging
import sys
import threading
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone

from guanjia.accounts.access import mask_phone
from guanjia.notifications import channels
from guanjia.notifications.channels import sms as sms_channel
from guanjia.notifications.models import Channel, Delivery, DeliveryStatus
from guanjia.notifications.quiet import quiet_until

logger = logging.getLogger(__name__)

#: A row claimed longer ago than this belongs to a worker that died: it is queued again.
STALE_CLAIM = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=1)
BATCH = 50
DELIVER_TASK = "guanjia.notifications.deliver"  # guanjia.notifications.tasks.deliver_task


def enqueue(row: Delivery) -> Delivery:
    """Queue one message built by ``delivery`` (call inside the transaction of the change that causes it):
    ``enqueue(delivery(channel=…, recipient=…, …))``."""
    return enqueue_many([row])[0]


def delivery(
    *,
    channel: str,
    recipient: str,
    recipient_display: str,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    console_text: str,
    project: Any | None = None,
    ref: str = "",
    urgent: bool = False,
    notification: Any | None = None,
    person: Any | None = None,
    provider: str = "",
) -> Delivery:
    """The unsaved outbox row of one message: write it with ``enqueue``, or many with ``enqueue_many``.

    ``person`` (a user) brings their quiet hours: a non-urgent message waits until they end. ``console_text``
    is what the server console prints when the channel is off.
    """
    status = DeliveryStatus.QUEUED if channels.configured(channel) else DeliveryStatus.NOT_CONFIGURED
    due = now
    if status == DeliveryStatus.QUEUED and not urgent and person is not None:
        due = quiet_until(person, now) or now
    final = status != DeliveryStatus.QUEUED
    row = Delivery(
        channel=channel,
        provider=provider,
        kind=kind,
        ref=ref,
        project=project,
        notification=notification,
        recipient="" if final else recipient,
        recipient_display=recipient_display,
        urgent=urgent,
        payload=scrub(payload) if final else payload,
        status=status,
        next_attempt_at=due,
        created_at=now,
        last_error="" if status == DeliveryStatus.QUEUED else "channel not configured",
    )
    row._console_line = f"[{channel} 未配置，仅打印] → {recipient_display}: {console_text}"  # type: ignore[attr-defined]
    row._due_now = due <= now  # type: ignore[attr-defined]
    return row


def enqueue_many(rows: list[Delivery]) -> list[Delivery]:
    """Write rows built by ``delivery`` in one INSERT (in the caller's transaction); after the commit the
    console prints those of a channel that is off, and one delivery run sends those due now."""
    if not rows:
        return []
    created = Delivery.objects.bulk_create(rows)
    for row in created:
        if row.status == DeliveryStatus.NOT_CONFIGURED:
            line = getattr(row, "_console_line", "")
            transaction.on_commit(lambda line=line: _print(line))  # type: ignore[misc]
    if any(row.status == DeliveryStatus.QUEUED and getattr(row, "_due_now", False) for row in created):
        transaction.on_commit(kick)
    return created


def send_sms(
    *,
    phone: str,
    template: str,
    params: dict[str, str],
    now: datetime,
    project: Any | None = None,
    ref: str = "",
    kind: str = "sms",
) -> Delivery:
    """Queue a templated SMS to ``phone`` (a template of ``channels.sms.TEMPLATES``, e.g. "login_code" with
    ``{"code": "123456"}``, "pickup_code" with what/project/code). Returns the ``Delivery``: its status is
    ``not_configured`` when no SMS provider is set (the text is printed on the server console only)."""
    if template not in sms_channel.TEMPLATES:
        raise ValueError(f"unknown SMS template {template!r}")
    text = sms_channel.render(template, params)
    return enqueue(
        delivery(
            channel=Channel.SMS,
            provider=sms_channel.provider(),
            recipient=phone,
            recipient_display=mask_phone(phone),
            kind=kind,
            payload={"template": template, "params": params},
            now=now,
            console_text=text,
            project=project,
            ref=ref,
            urgent=True,
        )
    )


def send_wechat_template(
    *,
    openid: str,
    template: str,
    data: dict[str, str],
    now: datetime,
    url: str = "",
    project: Any | None = None,
    ref: str = "",
    person: Any | None = None,
    urgent: bool = False,
) -> Delivery:
    """Queue a 公众号 template message (``template`` is Guanjia's name, mapped by ``WECHAT_MP_TEMPLATES``) to a
    resident's ``openid``; ``data`` maps the template's keywords to values."""
    return enqueue(
        delivery(
            channel=Channel.WECHAT,
            recipient=openid,
            recipient_display=f"{openid[:4]}…" if openid else "",
            kind="wechat",
            payload={"template": template, "data": data, "url": url},
            now=now,
            console_text=" ".join(f"{k}={v}" for k, v in data.items()),
            project=project,
            ref=ref,
            urgent=urgent,
            person=person,
        )
    )


#: Payload keys whose values are secrets (one-time codes): blanked once a row is done.
SECRET_KEYS = frozenset({"code"})


def scrub(payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with every value under a key of ``SECRET_KEYS`` (at any depth) replaced by stars."""
    out: dict[str, Any] = {}
    for key, value in payload.items():
        if isinstance(value, dict):
            out[key] = scrub(value)
        elif key in SECRET_KEYS:
            out[key] = "******"
        else:
            out[key] = value
    return out


def _print(line: str) -> None:
    sys.stdout.write(line.rstrip() + "\n")


# --- The worker ------------------------------------------------------------------------------------------------


def claim(row_id: int, now: datetime) -> bool:
    """Take ``row_id`` for this worker if it is still queued and due: exactly one caller wins."""
    return (
        Delivery.objects.filter(pk=row_id, status=DeliveryStatus.QUEUED, next_attempt_at__lte=now).update(
            status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        == 1
    )


def backoff(attempts: int) -> timedelta:
    base = timedelta(seconds=int(getattr(settings, "NOTIFY_RETRY_SECONDS", 30)))
    return min(base * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def deliver_one(row: Delivery, now: datetime) -> str:
    """Send a claimed row and record the outcome; returns the new status."""
    fields: dict[str, Any]
    try:
        message_id = channels.send(row, now)
    except channels.NotConfigured as exc:
        status, fields = DeliveryStatus.NOT_CONFIGURED, {"last_error": str(exc)[:500]}
    except channels.ChannelError as exc:
        give_up = not exc.retryable or row.attempts >= int(getattr(settings, "NOTIFY_MAX_ATTEMPTS", 5))
        status = DeliveryStatus.FAILED if give_up else DeliveryStatus.QUEUED
        fields = {"last_error": str(exc)[:500], "next_attempt_at": now + backoff(row.attempts)}
        logger.warning("delivery %s via %s: %s (attempt %s)", row.pk, row.channel, exc, row.attempts)
    except Exception as exc:  # a bug or an unexpected answer: retried like a refusal, never lost
        logger.exception("delivery %s via %s crashed", row.pk, row.channel)
        give_up = row.attempts >= int(getattr(settings, "NOTIFY_MAX_ATTEMPTS", 5))
        status = DeliveryStatus.FAILED if give_up else DeliveryStatus.QUEUED
        fields = {"last_error": f"{type(exc).__name__}: {exc}"[:500], "next_attempt_at": now + backoff(row.attempts)}
    else:
        status = DeliveryStatus.SENT
        fields = {"last_error": "", "provider_message_id": message_id[:100], "sent_at": now}
    if status != DeliveryStatus.QUEUED:
        # Done with it: the address and any code in it are no longer needed (a pickup or sign-in code is kept
        # only as a hash elsewhere; a robot's address holds its key). The page shows the masked address.
        fields.update(recipient="", payload=scrub(row.payload))
    Delivery.objects.filter(pk=row.pk, status=DeliveryStatus.SENDING).update(status=status, **fields)
    return status


def deliver_due(now: datetime, limit: int = BATCH) -> dict[str, int]:
    """Deliver up to ``limit`` due rows; safe to run in several processes at once. Returns counts by outcome."""
    Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        status=DeliveryStatus.QUEUED
    )
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now)
        .order_by("-urgent", "next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    counts: dict[str, int] = {}
    for row_id in due:
        if not claim(row_id, now):
            continue  # another worker took it
        row = Delivery.objects.get(pk=row_id)
        outcome = deliver_one(row, now)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


_worker_lock = threading.Lock()
_worker: threading.Thread | None = None


def run_worker(now: datetime) -> Any:
    """The periodic job: deliver what is due without holding up the sweep. With Redis a Celery task; on the
    embedded default one background thread at a time (``NOTIFY_DELIVER_ON_COMMIT`` off, as in tests: inline)."""
    global _worker
    if not getattr(settings, "NOTIFY_DELIVER_ON_COMMIT", True):
        return deliver_due(now)
    if getattr(settings, "REDIS_URL", ""):
        current_app.send_task(DELIVER_TASK)
        return "queued"
    with _worker_lock:
        if _worker is not None and _worker.is_alive():
            return "running"
        _worker = threading.Thread(target=_deliver_in_thread, name="guanjia-delivery", daemon=True)
        _worker.start()
    return "started"


def kick() -> None:
    """Deliver what is due now without waiting for the next sweep: a Celery task with Redis, a short thread
    on the embedded default. Off with ``NOTIFY_DELIVER_ON_COMMIT`` (the sweep still delivers)."""
    if not getattr(settings, "NOTIFY_DELIVER_ON_COMMIT", True):
        return
    if getattr(settings, "REDIS_URL", ""):
        try:
            current_app.send_task(DELIVER_TASK)
        except Exception:  # the broker is down: the beat's sweep delivers later
            logger.warning("could not queue the delivery task; the sweep will deliver")
        return
    threading.Thread(target=_deliver_in_thread, name="guanjia-delivery", daemon=True).start()


def _deliver_in_thread() -> None:
    close_old_connections()
    try:
        deliver_due(timezone.now())
    except Exception:
        logger.exception("delivery after commit failed; the sweep tries again")
    finally:
        connection.close()
