"""O04: every role rule lives in the access policy (``guanjia.accounts.access``), so pages, the API and the
services answer "who may" the same way. Apps call its predicates; they neither define role sets of their own
nor test a user's role inline."""

from __future__ import annotations

import ast
from pathlib import Path

import guanjia
from guanjia.accounts import access
from guanjia.accounts.models import Role

SOURCE = Path(guanjia.__file__).parent


def _modules() -> list[tuple[str, ast.Module]]:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        parts = set(path.relative_to(SOURCE).parts)
        if {"migrations", "tests", "accounts"} & parts:
            continue
        found.append((str(path.relative_to(SOURCE.parent)), ast.parse(path.read_text(encoding="utf-8"))))
    return found


def _is_role_set(value: ast.expr) -> bool:
    """``frozenset({...})``, ``{...}`` or ``SOME_ROLES | {...}``: how a role set is written."""
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.BitOr):
        return True
    if isinstance(value, ast.Set):
        return True
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "frozenset"


def _reads_role(node: ast.expr) -> bool:
    if isinstance(node, ast.Attribute) and node.attr == "role":
        return True
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and len(node.args) >= 2
        and isinstance(node.args[1], ast.Constant)
        and node.args[1].value == "role"
    )


def test_o04_no_app_defines_its_own_role_set():
    defined = [
        f"{where}:{node.lineno} {target.id}"
        for where, tree in _modules()
        for node in tree.body
        if isinstance(node, ast.Assign) and _is_role_set(node.value)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id.endswith("_ROLES")
    ]
    assert not defined, "role sets belong in guanjia/accounts/access.py: " + ", ".join(defined)


def test_o04_no_app_tests_a_role_against_a_list_inline():
    inline = [
        f"{where}:{node.lineno}"
        for where, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Compare)
        and _reads_role(node.left)
        and any(isinstance(op, ast.In | ast.NotIn) for op in node.ops)
    ]
    assert not inline, "use a predicate of guanjia.accounts.access instead of an inline role test: " + ", ".join(inline)


def test_the_moved_rules_keep_their_roles(world):
    # The ledgers (F01–F07): security keeps the gate's ledgers but not the customer archive.
    assert Role.SECURITY in access.LEDGER_ROLES and Role.SECURITY not in access.ARCHIVE_ROLES
    assert access.can_keep_ledgers(world.front_desk, world.estate)
    assert not access.can_keep_ledgers(world.outsider, world.estate)
    # The office's ledgers: fee notices by the desk and the butlers; approvals by the managers only.
    assert access.can_handle_fees(world.butler)
    assert not access.can_approve_office(world.front_desk)
    assert access.can_approve_office(world.supervisor)
    # Exports (S01, S03): the managers. A technician sees the technician's steps of a repair first.
    assert access.can_export(world.office_manager) and not access.can_export(world.butler)
    assert access.works_repairs_on_site(world.technician) and not access.works_repairs_on_site(world.front_desk)
    # Policy: the general manager at the company level, an office manager only for their project.
    assert access.can_edit_policy(world.general_manager, company=world.company, project=None)
    assert not access.can_edit_policy(world.office_manager, company=world.company, project=None)
    assert access.can_edit_policy(world.office_manager, company=world.company, project=world.estate)
    assert not access.can_edit_policy(world.supervisor, company=world.company, project=world.estate)
