"""Words for timeline verbs: one registry that every page reads, so an event reads the same on the customer's
page, a complaint's page, a repair's page and a visit form, in Chinese and in English.

Each app registers the verbs it writes in its AppConfig.ready() (``register_verb_labels``), and a case type
registers its status choices so that the ``<case_type>.<status>`` events of ``case_transition`` read as the
status. A verb nobody registered is shown as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models

_labels: dict[str, Any] = {}
_statuses: dict[str, type[models.TextChoices]] = {}


def register_verb_labels(labels: Mapping[str, Any]) -> None:
    _labels.update(labels)


def register_status_verbs(case_type: str, choices: type[models.TextChoices]) -> None:
    _statuses[case_type] = choices


def verb_label(verb: str) -> str:
    if verb in _labels:
        return str(_labels[verb])
    prefix, _dot, rest = verb.partition(".")
    choices = _statuses.get(prefix)
    if choices is not None and rest in choices.values:
        return str(choices(rest).label)
    return verb
