"""Completion hooks: what other apps do when a case is completed.

A case kind's completion service calls ``case_completed`` inside the transaction that completes the case; the
apps that react register a hook in their ``AppConfig.ready``, for one kind or for every kind (``visits`` plans
the return visit of any completed case, V01). So ``complaints`` and ``repairs`` never import the apps that react
to them (no import cycle), and a new reaction or a new case kind needs no edit of the other side.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from guanjia.cases.models import Case


@dataclass(frozen=True)
class Completion:
    """A case that has just been completed: ``kind`` is its case kind (``CASE_TYPE``: "complaint", "repair"),
    ``case`` the row (locked by the completing transaction), ``completed_at`` the recorded time of completion."""

    kind: str
    case: Case
    completed_at: datetime
    actor: Any


CompletionHook = Callable[[Completion], None]

#: The kind to register a hook under to run it on the completion of a case of any kind.
EVERY_KIND = "*"

# kind → {hook name → hook}, in registration order. Keyed by name so an ``AppConfig.ready`` that runs twice
# (tests reload apps) replaces its hook instead of running it twice.
_hooks: dict[str, dict[str, CompletionHook]] = {}


def on_case_completed(kind: str, name: str, hook: CompletionHook) -> None:
    """Run ``hook`` whenever a case of ``kind`` (or, with ``EVERY_KIND``, of any kind) is completed.
    Registering ``name`` again replaces the hook."""
    _hooks.setdefault(kind, {})[name] = hook


def _hooks_for(kind: str) -> list[tuple[str, CompletionHook]]:
    """The kind's own hooks, then those for every kind, each in registration order."""
    return [*_hooks.get(kind, {}).items(), *_hooks.get(EVERY_KIND, {}).items()]


def completion_hooks(kind: str) -> list[str]:
    """The names of the hooks that run when a case of ``kind`` is completed, in the order they run."""
    return [name for name, _hook in _hooks_for(kind)]


def case_completed(*, case: Case, completed_at: datetime, actor: Any) -> None:
    """Run the hooks registered for the case's kind (its ``CASE_TYPE``), then those for every kind, each in
    registration order.

    The caller holds the transaction of the completion: what the hooks write commits with it, and a hook that
    raises rolls the completion back."""
    kind = type(case).CASE_TYPE
    completion = Completion(kind=kind, case=case, completed_at=completed_at, actor=actor)
    for _name, hook in _hooks_for(kind):
        hook(completion)
