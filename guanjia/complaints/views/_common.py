"""What the complaint pages share: the project chosen in the switcher and how a service's error keys are named
on the forms."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

#: Service error keys that are named differently on the forms (None: at the top of the form).
_RENAMED = {"mail.sender": "mail_sender", "mail.subject": "mail_subject", "completed_at": None}


def current_project(request: HttpRequest) -> Any:
    return getattr(request, "project", None)


def form_field(key: str) -> str | None:
    """The form field a service's error key names: facts are edited without their ``facts.`` prefix, the
    letter's sender and subject as ``mail_sender`` and ``mail_subject``."""
    if key in _RENAMED:
        return _RENAMED[key]
    name = key.removeprefix("facts.").removeprefix("mail_")
    return f"mail_{name}" if name in {"sender", "subject"} else name
