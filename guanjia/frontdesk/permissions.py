"""Who works the front-desk ledgers. Built on ``guanjia.accounts.access`` (project scoping stays there);
candidates to move into a "frontdesk" section of that module."""

from __future__ import annotations

from typing import Any

from guanjia.accounts.access import MANAGER_ROLES, can_see_project, has_role
from guanjia.accounts.models import Role

#: Roles that keep the ledgers: the desk, the butlers (keys, F05), customer assistants, security at the gate
#: (visitors, release slips) and the managers.
LEDGER_ROLES = MANAGER_ROLES | {Role.FRONT_DESK, Role.BUTLER, Role.CUSTOMER_ASSISTANT, Role.SECURITY}
#: Roles that record the customer archive (F07).
ARCHIVE_ROLES = MANAGER_ROLES | {Role.FRONT_DESK, Role.BUTLER, Role.CUSTOMER_ASSISTANT}


def can_keep_ledgers(user: Any, project: Any) -> bool:
    return has_role(user, LEDGER_ROLES) and can_see_project(user, project)


def can_record_archive(user: Any, project: Any) -> bool:
    return has_role(user, ARCHIVE_ROLES) and can_see_project(user, project)


def can_purge_ledgers(user: Any, project: Any) -> bool:
    """S06: deleting after the retention is a manager's deliberate act."""
    return has_role(user, MANAGER_ROLES) and can_see_project(user, project)
