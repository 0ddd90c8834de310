"""Reads of the estate archive: the desk's customer search, a customer's page, the units list.

Every function takes the user and scopes through ``guanjia.accounts.access``; nothing here loops over all
rows in Python. The search runs one small indexed query per reading of the query (at most three) and then
loads the page of results with its phones and units in three more, whatever the size of the estate.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Length, Replace
from pypinyin import Style

from guanjia.accounts.access import can_see_project, get_for_user, scope
from guanjia.accounts.models import User
from guanjia.estates.models import Building, Customer, CustomerPhone, Project, Residency, Unit

# --- Reading the query ---------------------------------------------------------------------------------

#: Ranks, best first. Equal ranks are ordered by pinyin, then by id, so results do not jump around.
RANK_EXACT = 0  # the whole name, the whole phone number, or a fully specified unit
RANK_STRONG = 1  # initials or full pinyin equal, building + room, or a room number
RANK_PREFIX = 2  # name starts with the query, phone ends with the digits
RANK_WEAK = 3  # initials / pinyin start with the query, digits somewhere in a phone
RANK_CONTAINS = 4  # the name merely contains the query

_PART = r"[0-9A-Za-z]+"
#: "3-2-1201", "3-1201"; short parts, so that a landline "0755-12345678" stays a phone number.
_DASHED_UNIT = re.compile(
    r"^(?P<building>[0-9A-Za-z]{1,3})-(?:(?P<entrance>[0-9A-Za-z]{1,3})-)?(?P<room>[0-9A-Za-z]{1,6})$"
)
#: "3栋2单元1201", "3栋1201", "3#1201", "3号楼2单元1201室", "A座1201"
_WRITTEN_UNIT = re.compile(
    rf"^(?P<building>{_PART})(?:号楼|栋|幢|座|楼|#)(?:(?P<entrance>{_PART})单元)?(?P<room>{_PART})(?:室|号|房)?$"
)
_ROOM_MAX_DIGITS = 6
PHONE_MIN_DIGITS = 4
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"^[a-z]+$")


@dataclass(frozen=True)
class UnitQuery:
    building: str
    entrance: str | None  # None: any entrance ("3-1201", "3栋1201")
    room: str


@dataclass(frozen=True)
class SearchTerms:
    """What a query may mean; several readings can hold at once (a bare "1201" is a room and phone digits)."""

    name: str = ""
    #: Also look for the name inside longer names (明 → 李明); only for Chinese text.
    name_inside: bool = False
    letters: str = ""
    phone_digits: str = ""
    room: str = ""
    unit: UnitQuery | None = None

    @property
    def empty(self) -> bool:
        return not (self.name or self.letters or self.phone_digits or self.room or self.unit)


def parse_query(query: str) -> SearchTerms:
    """Read a desk query: a name, pinyin, phone digits or a unit address (full-width forms are accepted)."""
    text = unicodedata.normalize("NFKC", query or "").strip()
    compact = re.sub(r"\s+", "", text)
    if not compact:
        return SearchTerms()
    phoneish = compact.removeprefix("+86")
    if re.fullmatch(r"[\d\-()]+", phoneish) and not _DASHED_UNIT.match(compact):
        digits = re.sub(r"\D", "", phoneish)
        return SearchTerms(
            phone_digits=digits if len(digits) >= PHONE_MIN_DIGITS else "",
            room=digits if len(digits) <= _ROOM_MAX_DIGITS and digits == compact else "",
        )
    for pattern in (_DASHED_UNIT, _WRITTEN_UNIT):
        match = pattern.match(compact)
        if match:
            unit = UnitQuery(match["building"], match["entrance"], match["room"])
            return SearchTerms(unit=unit)
    if _CJK.search(compact):
        return SearchTerms(name=compact[:50], name_inside=True)
    lowered = compact.lower()
    if _LATIN.match(lowered):
        # Pinyin for Chinese names; the name itself for the odd customer registered under a Latin name.
        return SearchTerms(name=compact[:50], letters=lowered[:50])
    # Anything else (a name with Latin letters, "Tom李"): match the name as written.
    return SearchTerms(name=compact[:50])


# --- The search ----------------------------------------------------------------------------------------


def customer_search(*, user: Any, project: Project, query: str, limit: int = 20) -> list[Customer]:
    """Customers of ``project`` matching ``query``, best matches first, at most ``limit``.

    Each result carries ``search_rank`` (see RANK_*) and ``matched_by`` (name, initials, pinyin, phone,
    unit, room) and has its phones and units (with buildings) prefetched. A project the user may not
    see yields nothing, as if it were empty.
    """
    terms = parse_query(query)
    if terms.empty or limit <= 0 or project is None or not can_see_project(user, project):
        return []
    customers = scope(Customer.objects.filter(project=project), user)
    found: dict[int, tuple[int, str]] = {}

    def take(rows: Any, matched_by: str) -> None:
        for customer_id, rank in rows:
            if customer_id not in found or rank < found[customer_id][0]:
                found[customer_id] = (rank, matched_by)

    if terms.name:
        take(_name_matches(customers, terms.name, limit, inside=terms.name_inside), "name")
    if terms.letters:
        take(_letter_matches(customers, "name_initials", terms.letters, limit), "initials")
        if len(terms.letters) >= 2:
            take(_letter_matches(customers, "name_pinyin", terms.letters, limit), "pinyin")
    if terms.unit or terms.room:
        take(_unit_matches(user, project, terms, limit), "unit" if terms.unit else "room")
    if terms.phone_digits:
        take(_phone_matches(user, project, terms.phone_digits, limit), "phone")
    if not found:
        return []

    results = list(
        customers.filter(pk__in=list(found)).prefetch_related(
            "phones", Prefetch("units", queryset=Unit.objects.select_related("building").order_by("id"))
        )
    )
    for customer in results:
        customer.search_rank, customer.matched_by = found[customer.pk]  # type: ignore[attr-defined]
    results.sort(key=lambda c: (c.search_rank, c.name_pinyin, c.pk))  # type: ignore[attr-defined]
    return results[:limit]


def _prefix_q(field_name: str, prefix: str) -> Q:
    """``field`` starts with ``prefix``, written so that a B-tree index on the column can serve it.

    SQLite's LIKE is case-insensitive and so never uses an ordinary index; a range on the code points does
    (SQLite compares text as UTF-8 bytes, whose order is the code point order). On PostgreSQL LIKE 'x%'
    uses the index under the C collation or a pattern_ops index; a range would be wrong under other
    collations, so there the LIKE stays alone.
    """
    starts = Q(**{f"{field_name}__startswith": prefix})
    if connection.vendor != "sqlite":
        return starts
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return starts & Q(**{f"{field_name}__gte": prefix, f"{field_name}__lt": upper})


def _ranked(queryset: QuerySet[Any], rank: Case, limit: int, id_field: str = "pk") -> list[tuple[int, int]]:
    rows = queryset.annotate(search_rank=rank).order_by("search_rank", *_tiebreak(id_field))
    return list(rows.values_list(id_field, "search_rank")[: limit * 2])


def _tiebreak(id_field: str) -> tuple[str, ...]:
    prefix = "" if id_field == "pk" else id_field.removesuffix("_id") + "__"
    return (f"{prefix}name_pinyin", id_field)


def _name_matches(customers: QuerySet[Customer], name: str, limit: int, *, inside: bool) -> list[tuple[int, int]]:
    rank = Case(When(name=name, then=Value(RANK_EXACT)), default=Value(RANK_PREFIX), output_field=IntegerField())
    rows = _ranked(customers.filter(_prefix_q("name", name)), rank, limit)
    if not inside or len(rows) >= limit:
        return rows
    # Fewer prefix matches than a page: look for the name inside (明 → 李明). A scan of the project's
    # names, done only when the indexed prefix match did not already fill the page.
    within = customers.filter(name__contains=name).exclude(_prefix_q("name", name))
    return rows + _ranked(within, Case(default=Value(RANK_CONTAINS), output_field=IntegerField()), limit)


def _letter_matches(customers: QuerySet[Customer], column: str, letters: str, limit: int) -> list[tuple[int, int]]:
    rank = Case(When(**{column: letters}, then=Value(RANK_STRONG)), default=Value(RANK_WEAK))
    matches = customers.filter(_prefix_q(column, letters))
    if column == "name_pinyin":
        # name_pinyin has no index; the indexed initials narrow the rows first ("weich" → wei|ch → "wc").
        initials = pinyin_initials(letters)
        if not initials:
            return []
        narrow = Q()
        for prefix in initials:
            narrow |= _prefix_q("name_initials", prefix)
        matches = matches.filter(narrow)
    return _ranked(matches, rank, limit)


@cache
def _syllables() -> frozenset[str]:
    """Every pinyin syllable pypinyin writes (toneless, ü as v): about 420, read once from its dictionary."""
    from pypinyin.pinyin_dict import pinyin_dict
    from pypinyin.style import convert

    readings = {r for value in pinyin_dict.values() for r in value.split(",")}
    return frozenset(convert(r, Style.NORMAL, strict=True) for r in readings)


@cache
def _syllable_prefixes() -> frozenset[str]:
    return frozenset(s[:i] for s in _syllables() for i in range(1, len(s) + 1))


#: A query with more ways to split it than this only narrows by its first letter.
_MAX_SPLITS = 12


def pinyin_initials(letters: str) -> list[str]:
    """The initials of every way to read ``letters`` as pinyin syllables, the last possibly unfinished.

    "weich" → ["wc"] (wei|ch…); "xian" → ["x", "xa"] (xian, xi|an). Empty when no reading exists. A name
    whose full pinyin starts with ``letters`` has one of these as a prefix of its initials, so an indexed
    match on the initials narrows the rows without losing any.
    """
    syllables, prefixes = _syllables(), _syllable_prefixes()
    n = len(letters)
    # readings[i]: initials of the ways to read letters[i:], built from the end; capped, so a long run of
    # letters that splits in very many ways costs no more than a short one.
    readings: list[set[str] | None] = [None] * (n + 1)
    for start in range(n - 1, -1, -1):
        here: set[str] = set()
        if letters[start:] in prefixes:  # the last syllable, complete or still being typed
            here.add(letters[start])
        for end in range(start + 1, min(n, start + 6) + 1):
            rest = readings[end] if end < n else None
            if rest and letters[start:end] in syllables:
                here.update(letters[start] + r for r in rest)
        readings[start] = here if len(here) <= _MAX_SPLITS else {letters[start]}
    found = readings[0] if n else set()
    if not found:
        return []
    # A shorter prefix already covers the longer ones that start with it.
    return sorted(i for i in found if not any(i != j and i.startswith(j) for j in found))


def _phone_matches(user: Any, project: Project, digits: str, limit: int) -> list[tuple[int, int]]:
    # Digits anywhere in a number cannot use an index: scan the narrow (customer, number) index of the phones
    # once, test the cheap LIKE first and look up the customer (by primary key) only for the rows that match.
    # Landlines are stored with their dash (0755-12345678); the desk types digits only, so the dash is
    # taken out -- only in numbers that have one, as REPLACE on every row would cost more than the scan.
    in_project = scope(Customer.objects.filter(pk=OuterRef("customer_id"), project=project), user)
    phones = (
        CustomerPhone.objects.annotate(digits=Replace(F("number"), Value("-"), Value("")))
        .filter(Q(number__contains=digits) | (Q(number__contains="-") & Q(digits__contains=digits)))
        .filter(Exists(in_project))
    )
    rank = Case(
        When(digits=digits, then=Value(RANK_EXACT)),
        When(digits__endswith=digits, then=Value(RANK_PREFIX)),
        default=Value(RANK_WEAK),
        output_field=IntegerField(),
    )
    rows = phones.annotate(search_rank=rank).order_by("search_rank", "customer_id")
    return list(rows.values_list("customer_id", "search_rank")[: limit * 2])


def _unit_matches(user: Any, project: Project, terms: SearchTerms, limit: int) -> list[tuple[int, int]]:
    # Driven from the unit (project, room) index to the residencies of the few units it finds.
    residencies = scope(Residency.objects.filter(customer__project=project), user, "customer__project")
    if terms.unit:
        unit_q = Q(project=project, room__iexact=terms.unit.room, building__number__iexact=terms.unit.building)
        exact = terms.unit.entrance is not None
        if exact:
            unit_q &= Q(entrance__iexact=terms.unit.entrance)
        rank = RANK_EXACT if exact else RANK_STRONG
    else:
        unit_q, rank = Q(project=project, room=terms.room), RANK_STRONG
    units = Unit.objects.filter(unit_q).values("pk")
    ranked = Case(default=Value(rank), output_field=IntegerField())
    return _ranked(residencies.filter(unit__in=units), ranked, limit, id_field="customer_id")


# --- One customer --------------------------------------------------------------------------------------


@dataclass
class CustomerDetail:
    customer: Customer
    units: list[Unit]
    #: Other customers of the customer's units, each once, owners first.
    household: list[Customer]
    #: The butlers of the customer's units (O03), each once.
    butlers: list[User] = field(default_factory=list)


def customer_detail(*, user: Any, pk: Any) -> CustomerDetail:
    """A customer the user may see (else Http404), with units, household and butler prefetched."""
    household_qs = Customer.objects.order_by("kind", "name_pinyin", "id")
    units_qs = Unit.objects.select_related("building", "butler").prefetch_related(
        Prefetch("customers", queryset=household_qs)
    )
    queryset = Customer.objects.select_related("project").prefetch_related(
        "phones", Prefetch("units", queryset=units_qs.order_by("building_id", "entrance", "room"))
    )
    customer = get_for_user(queryset, user, pk)
    units = list(customer.units.all())
    household: dict[int, Customer] = {}
    butlers: dict[int, User] = {}
    for unit in units:
        if unit.butler is not None:
            butlers.setdefault(unit.butler.pk, unit.butler)
        for member in unit.customers.all():
            if member.pk != customer.pk:
                household.setdefault(member.pk, member)
    return CustomerDetail(
        customer=customer, units=units, household=list(household.values()), butlers=list(butlers.values())
    )


# --- Units ---------------------------------------------------------------------------------------------


def unit_list(*, user: Any, project: Project, building: Any = None, status: str = "") -> QuerySet[Unit]:
    """The project's units, filtered by building id and status, with building, butler and residents loaded."""
    if project is None or not can_see_project(user, project):
        return Unit.objects.none()
    units = scope(Unit.objects.filter(project=project), user).select_related("building", "butler")
    if building:
        units = units.filter(building_id=building)
    if status:
        units = units.filter(status=status)
    residents = Customer.objects.order_by("kind", "name_pinyin", "id")
    # Rooms in the order of the building, not of the alphabet: 101, 102, …, 1001 (shorter numbers first).
    return units.prefetch_related(Prefetch("customers", queryset=residents)).order_by(
        "building_id", "entrance", Length("room"), "room", "id"
    )


def building_choices(*, user: Any, project: Project) -> QuerySet[Building]:
    if project is None or not can_see_project(user, project):
        return Building.objects.none()
    return scope(Building.objects.filter(project=project), user).order_by("id")


def unit_detail(*, user: Any, pk: Any) -> Unit:
    """A unit the user may see (else Http404), with building, butler and residents (with phones) loaded."""
    residents = Customer.objects.order_by("kind", "name_pinyin", "id").prefetch_related("phones")
    queryset = Unit.objects.select_related("building", "butler", "project").prefetch_related(
        Prefetch("customers", queryset=residents)
    )
    return get_for_user(queryset, user, pk)


def customer_list(*, user: Any, project: Project) -> QuerySet[Customer]:
    """The project's customers, newest first, with phones and units loaded (the 客户 page without a query)."""
    if project is None or not can_see_project(user, project):
        return Customer.objects.none()
    return (
        scope(Customer.objects.filter(project=project), user)
        .prefetch_related("phones", Prefetch("units", queryset=Unit.objects.select_related("building")))
        .order_by("-id")
    )


# --- Pickers (retired units and buildings are not offered) -----------------------------------------------


def unit_by_address(*, user: Any, project: Project, text: str) -> Unit | None:
    """The one unit in service that the desk typed ("3-2-1201", "3栋2单元1201", or "1201" when unique)."""
    terms = parse_query(text)
    units = scope(Unit.objects.filter(project=project, is_retired=False), user).select_related("building")
    if terms.unit is not None:
        units = units.filter(room__iexact=terms.unit.room, building__number__iexact=terms.unit.building)
        if terms.unit.entrance is not None:
            units = units.filter(entrance__iexact=terms.unit.entrance)
    elif terms.room:
        units = units.filter(room__iexact=terms.room)
    else:
        return None
    found = list(units[:2])
    return found[0] if len(found) == 1 else None


def active_buildings(*, user: Any, project: Project) -> QuerySet[Building]:
    return building_choices(user=user, project=project).filter(is_retired=False)
