"""The two ways a valid request can still fail, raised by services and answered once: 409 in the API
(``guanjia.api.errors``) and a message on the page.

- ``ConflictError``: the record changed since the caller read it (optimistic lock); reload and retry.
- ``NotPossible``: the record's current state does not allow the change (a status, a closed day, a signed
  record); the message says why, for the user. ``TransitionError`` is the status-change case of it.
"""

from __future__ import annotations


class ConflictError(Exception):
    """The record changed since the caller read it (optimistic lock); the caller must reload and retry."""


class NotPossible(Exception):
    """The change is not possible in the record's current state; the message says why, for the user."""


class TransitionError(NotPossible):
    """The status change is not allowed from the current status: "not possible now" (HTTP 409)."""
