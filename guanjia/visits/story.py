"""The case's story on the visit page (V05): what the customer reported and what was done, in the timeline's
words, so the visitor can talk about the case without opening it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from guanjia.timeline.labels import verb_label
from guanjia.timeline.selectors import events_for

#: Event data that says in words what was reported or done (first found is shown).
_WORDS = ("text", "result", "note", "assessment", "difference_note", "decline_reason", "opinion")
#: The story shows the latest events; older ones are counted.
STORY_LIMIT = 30


@dataclass(frozen=True)
class StoryLine:
    at: datetime
    label: str
    actor: str
    words: str


def _words(event: Any) -> str:
    data = event.data if isinstance(event.data, dict) else {}
    for key in _WORDS:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:300]
    return (event.reason or "")[:300]


def case_story(case: Any, *, limit: int = STORY_LIMIT) -> tuple[list[StoryLine], int]:
    """The case's timeline, oldest first (the latest ``limit`` events), and how many older ones are left out.
    Two queries."""
    if case is None:
        return [], 0
    events = events_for(case)
    total = events.count()
    latest = list(events.select_related("actor").order_by("-at", "-id")[:limit])
    lines = [
        StoryLine(
            at=e.at,
            label=str(verb_label(e.verb)),
            actor=e.actor.display_name if e.actor is not None else "",
            words=_words(e),
        )
        for e in reversed(latest)
    ]
    return lines, max(total - limit, 0)
