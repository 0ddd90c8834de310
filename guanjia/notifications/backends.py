"""External copies of notifications: console (default), email, SMS (a base to subclass), locmem (tests).

``settings.NOTIFICATION_BACKENDS`` lists dotted paths. A backend gets the messages of one ``notify`` call
after the transaction commits; a backend that fails is logged and never undoes the in-app inbox.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

DEFAULT_BACKENDS = ["guanjia.notifications.backends.ConsoleBackend"]


@dataclass(frozen=True)
class Message:
    """What leaves the building: plain values, read before the commit, so a backend needs no database."""

    recipient_id: int
    recipient_name: str
    email: str
    phone: str
    kind: str
    level: str
    title: str
    body: str
    url: str
    project_id: int | None


class NotificationBackend:
    #: Levels this backend sends; others are left to the inbox.
    levels: ClassVar[frozenset[str]] = frozenset({"info", "warning", "urgent"})

    def send(self, messages: list[Message]) -> None:
        raise NotImplementedError

    def wants(self, message: Message) -> bool:
        return message.level in self.levels


class ConsoleBackend(NotificationBackend):
    """Prints each message: the default of the embedded install, where nothing may reach the network."""

    def send(self, messages: list[Message]) -> None:
        for m in messages:
            sys.stdout.write(f"[通知/{m.level}] → {m.recipient_name}: {m.title} {m.body} {m.url}".rstrip() + "\n")


class LocmemBackend(NotificationBackend):
    """Keeps messages in ``LocmemBackend.outbox`` for tests (clear it in a fixture)."""

    outbox: ClassVar[list[Message]] = []

    def send(self, messages: list[Message]) -> None:
        type(self).outbox.extend(messages)


class EmailBackend(NotificationBackend):
    """Email through Django's configured mail backend (EMAIL_BACKEND, EMAIL_HOST…)."""

    def send(self, messages: list[Message]) -> None:
        sender = getattr(settings, "DEFAULT_FROM_EMAIL", None)
        mails = [(m.title, _text(m), sender, [m.email]) for m in messages if m.email]
        if mails:
            send_mass_mail(mails, fail_silently=False)


class SmsBackend(NotificationBackend):
    """Base of an SMS gateway: subclass and implement ``send_sms``. Only urgent messages by default:
    a text message costs money and wakes people up."""

    levels: ClassVar[frozenset[str]] = frozenset({"urgent"})

    def send(self, messages: list[Message]) -> None:
        for m in messages:
            if m.phone:
                self.send_sms(m.phone, f"{m.title} {m.body}".strip())

    def send_sms(self, phone: str, text: str) -> None:
        raise NotImplementedError


def _text(m: Message) -> str:
    return "\n\n".join(part for part in (m.body, m.url) if part)


def get_backends() -> list[NotificationBackend]:
    paths: list[str] = getattr(settings, "NOTIFICATION_BACKENDS", DEFAULT_BACKENDS)
    return [import_string(path)() for path in paths]


def deliver(messages: list[Message], backends: list[Any] | None = None) -> None:
    """Hand ``messages`` to every backend; one failing backend does not stop the others."""
    for backend in backends if backends is not None else get_backends():
        wanted = [m for m in messages if backend.wants(m)]
        if not wanted:
            continue
        try:
            backend.send(wanted)
        except Exception:
            logger.exception("notification backend %s failed for %d message(s)", type(backend).__name__, len(wanted))
