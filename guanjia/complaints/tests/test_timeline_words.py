"""A complaint's timeline shows its events' data in the desk's words: every key the complaint and case services
write on an event is either named (``DATA_LABELS``) or deliberately hidden, never shown as a raw key."""

from __future__ import annotations

import ast
from pathlib import Path

import guanjia
from guanjia.complaints.views.timeline import _HIDDEN_DATA, DATA_LABELS, event_details

SOURCE = Path(guanjia.__file__).parent
WRITERS = ("complaints/services/*.py", "complaints/handlers.py", "cases/services.py")
#: ``incident.created`` is recorded on the incident, whose page does not list event data.
NOT_ON_A_COMPLAINT = {"title"}


def _event_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    paths = [path for pattern in WRITERS for path in sorted(SOURCE.glob(pattern))]
    for path in paths:
        name = str(path.relative_to(SOURCE))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            values: list[ast.expr] = []
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("record", "case_transition"):
                values = [k.value for k in node.keywords if k.arg == "data"]
            elif isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "event_data" for t in node.targets):
                values = [node.value]
            for value in values:
                if isinstance(value, ast.Dict):
                    for key in value.keys:
                        if isinstance(key, ast.Constant) and isinstance(key.value, str):
                            keys.setdefault(key.value, f"{name}:{value.lineno}")
    return keys


def test_every_event_data_key_is_named_or_hidden():
    keys = _event_keys()
    assert {"grade", "count", "late", "proposals"} <= set(keys)
    raw = sorted(f"{k} ({where})" for k, where in keys.items() if k not in DATA_LABELS and k not in _HIDDEN_DATA)
    assert not [r for r in raw if r.split()[0] not in NOT_ON_A_COMPLAINT], raw


def test_c11_mishandling_reads_as_words():
    details = dict(event_details({"proposals": [3, 4], "grade_from": "general", "count": 2}, {}))
    assert details == {"原级别": "一般投诉", "处理不当次数": "2"}
    acknowledged = dict(event_details({"role": "office_manager", "late": False}, {}))
    assert acknowledged == {"上报对象": "管理处经理"}
