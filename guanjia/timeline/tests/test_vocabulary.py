"""The timeline's verbs are a closed vocabulary: every verb the code writes has a label, in Chinese and in
English, so no raw key (``archive.move_in_handover``) reaches a page.

The written verbs are found by reading the source (every ``verb=`` argument, the variables it is given, the
``*_VERB`` constants); verbs built from a status or a kind (``f"visitor.{to}"``) must have registered the
choices they are built from (``register_verb_family``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.db.models import Model
from django.utils import translation

import guanjia
from guanjia.timeline.labels import has_label, labelled_verbs, verb_families, verb_label

SOURCE = Path(guanjia.__file__).parent
CJK = re.compile(r"[\u4e00-\u9fff]")


def _product_models() -> list[type[Model]]:
    """The product's models (not the test apps')."""
    return [m for m in apps.get_models() if m.__module__.startswith("guanjia.") and "testapp" not in m.__module__]


def _case_types() -> set[str]:
    found = (getattr(m, "CASE_TYPE", None) for m in _product_models())
    return {case_type for case_type in found if isinstance(case_type, str)}


def _retirable() -> set[str]:
    return {str(m._meta.model_name) for m in _product_models() if any(f.name == "is_retired" for f in m._meta.fields)}


#: Verbs written as ``f"{something}<suffix>"``: who the something can be.
HEADS = {".dispatched": _case_types, ".retired": _retirable}


class _Scan:
    def __init__(self) -> None:
        self.literals: dict[str, set[str]] = {}
        self.patterns: list[tuple[str, int, str, str]] = []

    def collect(self, expr: ast.expr, where: str) -> None:
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            self.literals.setdefault(expr.value, set()).add(where)
        elif isinstance(expr, ast.JoinedStr):
            parts = expr.values
            prefix = parts[0].value if isinstance(parts[0], ast.Constant) else ""
            suffix = parts[-1].value if isinstance(parts[-1], ast.Constant) and len(parts) > 1 else ""
            self.patterns.append((where, expr.lineno, str(prefix), str(suffix)))
        elif isinstance(expr, ast.IfExp):
            self.collect(expr.body, where)
            self.collect(expr.orelse, where)
        elif isinstance(expr, ast.BoolOp):
            for value in expr.values:
                self.collect(value, where)


def _scan() -> _Scan:
    scan = _Scan()
    for path in sorted(SOURCE.rglob("*.py")):
        if {"migrations", "tests"} & set(path.relative_to(SOURCE).parts):
            continue
        where = str(path.relative_to(SOURCE.parent))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "verb":
                if isinstance(node.value, ast.Name):
                    names.add(node.value.id)
                else:
                    scan.collect(node.value, where)
        for node in ast.walk(tree):
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AnnAssign)
                else []
            )
            value = getattr(node, "value", None)
            if value is None:
                continue
            for target in targets:
                if isinstance(target, ast.Name) and (target.id in names or target.id.endswith("_VERB")):
                    scan.collect(value, where)
    return scan


SCAN = _scan()


def _written_verbs() -> dict[str, set[str]]:
    """Every verb the source writes, with the files that write it (families expanded)."""
    verbs = {verb: set(files) for verb, files in SCAN.literals.items()}
    families = verb_families()
    for where, _line, prefix, suffix in SCAN.patterns:
        if prefix:
            for value in families[prefix].values if prefix in families else ():
                verbs.setdefault(f"{prefix}{value}{suffix}", set()).add(where)
        elif suffix in HEADS:
            for head in HEADS[suffix]():
                verbs.setdefault(f"{head}{suffix}", set()).add(where)
        else:  # f"{model.CASE_TYPE}.{to}": every case type's statuses (their family is checked below)
            for case_type in _case_types():
                statuses = families.get(f"{case_type}.")
                for value in statuses.values if statuses else ():
                    verbs.setdefault(f"{case_type}.{value}", set()).add(where)
    return verbs


def test_the_scan_finds_the_verbs_it_should():
    # The scan itself: literal verbs, ternaries, variables and families are all found.
    verbs = _written_verbs()
    assert {"complaint.registered", "staff.switched_on", "custody.key_issued", "export.monthly_late"} <= set(verbs)
    assert {"archive.move_in_handover", "visitor.left", "unit.retired", "repair.dispatched"} <= set(verbs)
    assert len(verbs) > 116


def test_every_built_verb_names_a_registered_family():
    unknown = [
        f"{where}:{line} f-string verb {prefix!r}…{suffix!r}"
        for where, line, prefix, suffix in SCAN.patterns
        if (prefix and prefix not in verb_families()) or (not prefix and suffix and suffix not in HEADS)
    ]
    missing_case_types = sorted(t for t in _case_types() if f"{t}." not in verb_families())
    assert not unknown, "register the choices these verbs are built from (register_verb_family): " + str(unknown)
    assert not missing_case_types, f"case types without their status verbs registered: {missing_case_types}"


def test_every_written_verb_has_a_label():
    missing = sorted(
        f"{verb} ({', '.join(sorted(files))})" for verb, files in _written_verbs().items() if not has_label(verb)
    )
    assert not missing, "timeline verbs written without a label (declare them in the app's labels.py):\n" + "\n".join(
        missing
    )


@pytest.mark.parametrize("verb", sorted(labelled_verbs()))
def test_a_label_is_words_not_the_key(verb):
    with translation.override("zh-hans"):
        label = verb_label(verb)
    assert label != verb
    assert CJK.search(label), f"{verb}: {label!r} is not Chinese"


def test_every_label_has_its_english():
    with translation.override("en"):
        untranslated = sorted(
            f"{verb}: {verb_label(verb)}" for verb in labelled_verbs() if CJK.search(verb_label(verb))
        )
    assert not untranslated, "labels missing from the English catalogue:\n" + "\n".join(untranslated)
