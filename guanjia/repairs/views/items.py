"""The technician's 实际维修项目 step (R07) on a phone: the ordered item (or the items already recorded) first and
ticked, the rest of the price list grouped by category for a client-side search."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from guanjia.repairs.models import PriceCategory, PriceItem


@dataclass(frozen=True)
class ItemChoice:
    item: PriceItem
    checked: bool
    quantity: int


@dataclass
class ItemGroup:
    key: str
    label: str
    choices: list[ItemChoice] = field(default_factory=list)


def item_groups(items: list[PriceItem], *, ordered_id: int | None, actual: list[Any]) -> list[ItemGroup]:
    """The choices of the step: first the items already recorded (or, before that, the ordered item), ticked,
    with their quantities; then the other active items by category in the price list's category order."""
    recorded = {line.price_item_id: line.quantity for line in actual if line.price_item_id is not None}
    ticked = recorded or ({ordered_id: 1} if ordered_id is not None else {})
    first = ItemGroup("picked", "")
    by_category = {value: ItemGroup(value, str(label)) for value, label in PriceCategory.choices}
    for item in items:
        if item.pk in ticked:
            first.choices.append(ItemChoice(item, True, ticked[item.pk]))
        else:
            group = by_category.get(item.category) or by_category[PriceCategory.OTHER]
            group.choices.append(ItemChoice(item, False, 1))
    # The ordered item leads, then the others in the order they were recorded.
    position = {pk: n for n, pk in enumerate(ticked)}
    first.choices.sort(key=lambda c: (c.item.pk != ordered_id, position[c.item.pk]))
    return [group for group in (first, *by_category.values()) if group.choices]
