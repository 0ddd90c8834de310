"""Completion hooks: what other apps do when a case is completed.

A case kind's completion service calls ``case_completed`` inside the transaction that completes the case; the
apps that react register a hook for the kind in their ``AppConfig.ready`` (``visits`` plans the return visit,
V01). So ``complaints`` and ``repairs`` never import the apps that react to them (no import cycle), and a new
reaction, or a new case kind, is one registration rather than an edit of every completion service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models


@dataclass(frozen=True)
class Completion:
    """A case that has just been completed: ``kind`` is its case kind ("complaint", "repair"), ``case`` the
    row (locked by the completing transaction), ``completed_at`` the recorded time of completion."""

    kind: str
    case: models.Model
    completed_at: datetime
    actor: Any


CompletionHook = Callable[[Completion], None]

# kind → {hook name → hook}, in registration order. Keyed by name so an ``AppConfig.ready`` that runs twice
# (tests reload apps) replaces its hook instead of running it twice.
_hooks: dict[str, dict[str, CompletionHook]] = {}


def on_case_completed(kind: str, name: str, hook: CompletionHook) -> None:
    """Run ``hook`` whenever a case of ``kind`` is completed. Registering ``name`` again replaces the hook."""
    _hooks.setdefault(kind, {})[name] = hook


def completion_hooks(kind: str) -> list[str]:
    """The names of the hooks registered for ``kind``, in the order they run."""
    return list(_hooks.get(kind, {}))


def case_completed(*, kind: str, case: models.Model, completed_at: datetime, actor: Any) -> None:
    """Run the hooks registered for ``kind``, in registration order.

    The caller holds the transaction of the completion: what the hooks write commits with it, and a hook that
    raises rolls the completion back."""
    completion = Completion(kind=kind, case=case, completed_at=completed_at, actor=actor)
    for hook in list(_hooks.get(kind, {}).values()):
        hook(completion)
