"""Writes of the front-desk ledgers (work in progress)."""

from __future__ import annotations


def register_ageing_handlers() -> None:
    """Register the ageing alerts with the deadline sweep (filled in below)."""
