"""Words for timeline verbs: one closed vocabulary that every page reads, so an event reads the same on the
customer's page, a complaint's page, a repair's page and a visit form, in Chinese and in English.

Each app declares the verbs it writes, with their labels, in its own ``labels`` module (Saleor's
``OrderEvents``) and registers them in its AppConfig.ready() (``register_verb_labels``). Verbs built from a
status or a kind (``f"visitor.{to}"``, the ``<case_type>.<status>`` events of ``case_transition``) register
the choices they are built from (``register_verb_family``), and read as the choice's label unless the verb has a
label of its own. ``guanjia/timeline/tests/test_vocabulary.py`` fails for any written verb without a label; a
verb nobody registered (an event written before its verb was retired) is shown as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models

_labels: dict[str, Any] = {}
_families: dict[str, type[models.TextChoices]] = {}


def register_verb_labels(labels: Mapping[str, Any]) -> None:
    _labels.update(labels)


def register_verb_family(prefix: str, choices: type[models.TextChoices]) -> None:
    """Verbs written as ``prefix`` + a value of ``choices`` (``prefix`` ends with its separator: ``"visitor."``,
    ``"followup.issue_"``)."""
    _families[prefix] = choices


def register_status_verbs(case_type: str, choices: type[models.TextChoices]) -> None:
    """The ``<case_type>.<status>`` verbs that ``cases.services.case_transition`` writes."""
    register_verb_family(f"{case_type}.", choices)


def _family_label(verb: str) -> Any | None:
    for prefix in sorted(_families, key=len, reverse=True):
        rest = verb.removeprefix(prefix)
        if rest != verb and rest in _families[prefix].values:
            return _families[prefix](rest).label
    return None


def has_label(verb: str) -> bool:
    return verb in _labels or _family_label(verb) is not None


def verb_label(verb: str) -> str:
    if verb in _labels:
        return str(_labels[verb])
    label = _family_label(verb)
    return verb if label is None else str(label)


def verb_families() -> dict[str, type[models.TextChoices]]:
    """The registered families by prefix (for the vocabulary test)."""
    return dict(_families)


def labelled_verbs() -> dict[str, Any]:
    """Every verb with a label of its own, and every member of a family (for the vocabulary test)."""
    verbs = dict(_labels)
    for prefix, choices in _families.items():
        for value in choices.values:
            verbs.setdefault(f"{prefix}{value}", _family_label(f"{prefix}{value}"))
    return verbs
