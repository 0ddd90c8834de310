"""S01, S02, S05: every figure of the monthly report equals a brute-force count over the generated rows."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import pytest
from django.utils import timezone

from guanjia.cases.models import Department
from guanjia.complaints.grading import Grade
from guanjia.complaints.models import Channel, Nature
from guanjia.core.periods import parse_month
from guanjia.repairs.selectors import repair_timeliness
from guanjia.reports.selectors import (
    month_end_lists,
    monthly_figures,
    trend,
)

from .conftest import MONTH, SHANGHAI

DONE_COMPLAINT = {"completed", "closed"}
DONE_REPAIR = {"completed", "returned", "closed"}
#: V09: a household's issue is handled once its case has ended; a declined or cancelled repair has ended too.
ENDED_REPAIR = DONE_REPAIR | {"declined", "cancelled"}


def in_month(value, month: date = MONTH) -> bool:
    return value is not None and value.astimezone(SHANGHAI).strftime("%Y-%m") == f"{month:%Y-%m}"


def kept(data, kind: str, pk: int) -> bool:
    rows = [d for d in data.limits.get((kind, pk), []) if d.state != "cancelled"]
    on_time = any(d.met_at is not None and d.met_at <= d.due_at for d in rows)
    broken = any(d.state == "missed" or (d.met_at is not None and d.met_at > d.due_at) for d in rows)
    return on_time and not broken


def repair_on_time(data, repair) -> bool:
    missed = any(d.state == "missed" for kind in ("order", "arrive") for d in data.limits.get((kind, repair.pk), []))
    return repair.status in DONE_REPAIR and not missed


def brute_figures(data, project_ids, month=MONTH):
    complaints = [c for c in data.complaints if c.project_id in project_ids and in_month(c.received_at, month)]
    repairs = [r for r in data.repairs if r.project_id in project_ids and in_month(r.received_at, month)]
    visits = [
        v for v in data.visits if v.project_id in project_ids and in_month(v.due_at, month) and v.status != "cancelled"
    ]
    rated = [v.satisfaction for v in visits if v.satisfaction is not None]
    end = timezone.datetime(2026, 6, 1, tzinfo=SHANGHAI)
    running = [
        h
        for h in data.households
        if h.campaign.project_id in project_ids and h.campaign.start <= date(2026, 5, 31) and h.campaign.end >= MONTH
    ]
    issues = [i for i in data.issues if i.household.campaign.project_id in project_ids and in_month(i.created_at)]

    def handled(issue) -> bool:
        if issue.complaint is not None:
            return issue.complaint.status in DONE_COMPLAINT
        return issue.repair.status in ENDED_REPAIR

    return {
        "complaints": {
            "total": len(complaints),
            "by_grade": {g: sum(c.grade == g for c in complaints) for g in Grade.values},
            "by_nature": {n: sum(c.nature == n for c in complaints) for n in Nature.values},
            "by_channel": {ch: sum(c.channel == ch for c in complaints) for ch in Channel.values},
            "by_department": {d: sum(c.against_department == d for c in complaints) for d in Department.values},
            "responded_in_time": sum(kept(data, "response", c.pk) for c in complaints),
            "resolved_in_time": sum(kept(data, "resolve", c.pk) for c in complaints),
            "handled": sum(c.status in DONE_COMPLAINT for c in complaints),
            "inform_due": sum(
                any(d.state != "cancelled" for d in data.limits.get(("inform", c.pk), [])) for c in complaints
            ),
            "informed_same_day": sum(kept(data, "inform", c.pk) for c in complaints),
        },
        "repairs": {
            "total": len(repairs),
            "completed": sum(r.status in DONE_REPAIR for r in repairs),
            "on_time": sum(repair_on_time(data, r) for r in repairs),
        },
        "return_visits": {
            "due": len(visits),
            "done": sum(v.status == "done" for v in visits),
            "on_time": sum(v.status == "done" and v.done_at <= v.due_at for v in visits),
            "unsatisfied": sum(v.unsatisfied for v in visits),
            "rated": len(rated),
            "satisfaction": round(sum(rated) / len(rated), 2) if rated else None,
            "by_case_type": {
                kind: {
                    "due": sum(v.case_type == kind for v in visits),
                    "done": sum(v.case_type == kind and v.status == "done" for v in visits),
                }
                for kind in ("complaint", "repair")
            },
        },
        "household_visits": {
            "units": len(running),
            "visited": sum(h.visited_at is not None and h.visited_at < end for h in running),
            "issues": len(issues),
            "issues_handled": sum(handled(i) for i in issues),
        },
    }


@pytest.mark.parametrize("seed", [1, 7, 2026])
def test_s01_s05_monthly_figures_match_brute_force_count(generate, world, seed):
    _gen, data = generate(seed)
    for ids in ([world.estate.pk], [world.other_estate.pk], [world.estate.pk, world.other_estate.pk]):
        figures = monthly_figures(projects=ids, month=MONTH)
        expected = brute_figures(data, set(ids))
        for section, values in expected.items():
            assert figures[section] == values, (section, ids)
        breakdowns = ("by_grade", "by_nature", "by_channel", "by_department")
        assert all(sum(figures["complaints"][b].values()) == figures["complaints"]["total"] for b in breakdowns)


def test_s01_month_is_a_calendar_month_in_shanghai(generate, world):
    # Given complaints just before and at midnight of 1 May in Beijing time (16:00 UTC the day before)
    gen, _data = generate(3, complaints=0, repairs=0)
    from .conftest import local

    gen.complaint(project=world.estate, received_at=local(2026, 4, 30, 23, 59))
    gen.complaint(project=world.estate, received_at=local(2026, 5, 1, 0, 0))
    gen.complaint(project=world.estate, received_at=local(2026, 5, 31, 23, 59))
    gen.complaint(project=world.estate, received_at=local(2026, 6, 1, 0, 0))
    # Then May has the two received in May (plus the two S02 repeats the generator always adds)
    assert monthly_figures(projects=[world.estate.pk], month=MONTH)["complaints"]["total"] == 4


@pytest.mark.parametrize("seed", [1, 7, 2026])
def test_s05_repair_figures_agree_with_repair_timeliness(generate, world, seed):
    generate(seed)
    for project in (world.estate, world.other_estate):
        ours = monthly_figures(projects=[project.pk], month=MONTH)["repairs"]
        theirs = repair_timeliness(project=project, month=MONTH)
        assert (ours["total"], ours["completed"], ours["on_time"]) == (theirs.total, theirs.completed, theirs.on_time)


def test_s05_rates_are_shown_against_their_targets(generate, world):
    generate(11)
    figures = monthly_figures(projects=[world.estate.pk], month=MONTH)
    rates = figures["rates"]
    c = figures["complaints"]
    assert rates["response"]["value"] == round(c["responded_in_time"] / c["total"], 4)
    assert rates["response"]["target"] == 1.0
    assert rates["household_coverage"]["target"] == 0.98
    assert rates["return_visit"]["target"] == 1.0
    assert rates["handling"]["target"] == 1.0
    assert rates["repair_timeliness"]["numerator"] == figures["repairs"]["on_time"]
    assert rates["satisfaction"]["value"] == figures["return_visits"]["satisfaction"]
    for rate in rates.values():
        assert rate["meets"] is None or rate["meets"] == (rate["value"] >= rate["target"])


def test_s05_empty_month_has_no_rates_instead_of_dividing_by_zero(world):
    figures = monthly_figures(projects=[world.estate.pk], month=date(2020, 1, 1))
    assert figures["complaints"]["total"] == 0
    assert all(rate["value"] is None and rate["meets"] is None for rate in figures["rates"].values())


def brute_repeat_complaints(data, project_ids):
    groups = defaultdict(list)
    for c in data.complaints:
        if c.project_id not in project_ids or not in_month(c.received_at):
            continue
        if c.customer_id is None and c.unit_id is None:
            continue
        who = ("c", c.customer_id) if c.customer_id is not None else ("u", c.unit_id)
        groups[(who, c.against_department)].append(c)
    return {
        key: sorted(c.pk for c in cases)
        for key, cases in groups.items()
        if len(cases) >= 2 or max(c.repeat_count for c in cases) >= 1
    }


def brute_repeat_repairs(data, project_ids):
    groups = defaultdict(list)
    for r in data.repairs:
        if r.project_id not in project_ids or not in_month(r.received_at) or r.unit_id is None:
            continue
        if r.status == "cancelled":
            continue
        what = "" if r.price_item_id is not None else r.description.strip(" ").lower()
        groups[(r.unit_id, r.price_item_id, what)].append(r)
    return {key: sorted(r.pk for r in cases) for key, cases in groups.items() if len(cases) >= 3}


@pytest.mark.parametrize("seed", [1, 7, 2026])
def test_s02_month_end_lists_match_brute_force(generate, world, seed):
    _gen, data = generate(seed)
    ids = {world.estate.pk, world.other_estate.pk}
    lists = month_end_lists(projects=list(ids), month=MONTH)

    expected_complaints = brute_repeat_complaints(data, ids)
    got = Counter(tuple(sorted(c["id"] for c in g["complaints"])) for g in lists["repeat_complaints"])
    assert got == Counter(tuple(v) for v in expected_complaints.values())
    assert all(g["count"] == len(g["complaints"]) for g in lists["repeat_complaints"])

    expected_repairs = brute_repeat_repairs(data, ids)
    got = Counter(tuple(sorted(r["id"] for r in g["repairs"])) for g in lists["repeat_repairs"])
    assert got == Counter(tuple(v) for v in expected_repairs.values())

    expected_visits = sorted(
        v.pk for v in data.visits if v.unsatisfied and in_month(v.due_at) and v.status != "cancelled"
    )
    assert sorted(v["id"] for v in lists["unsatisfied_visits"]) == expected_visits


def test_s02_lists_link_to_their_cases(generate, world):
    generate(5)
    lists = month_end_lists(projects=[world.estate.pk], month=MONTH)
    # The generator's three repairs of one standard item at one unit, and two complaints of one customer
    repairs = [g for g in lists["repeat_repairs"] if g["standard"] and g["count"] >= 3]
    assert repairs and all(r["url"] == f"/repairs/{r['id']}/" for g in repairs for r in g["repairs"])
    security = [g for g in lists["repeat_complaints"] if g["department"] == "security" and g["customer"] == "甲"]
    assert security and all(c["url"] == f"/complaints/{c['id']}/" for c in security[0]["complaints"])
    for visit in lists["unsatisfied_visits"]:
        assert visit["url"] == f"/{visit['case_type']}s/{visit['case_id']}/"
        assert visit["case_number"]


def test_s02_a_matter_raised_before_counts_on_its_first_complaint_of_the_month(generate, world):
    gen, _data = generate(4, complaints=0, repairs=0)
    from .conftest import local

    c = gen.complaint(
        project=world.estate,
        customer=gen.customers[world.estate.pk][1],
        against_department="environment",
        received_at=local(2026, 5, 6, 9),
        repeat_count=1,
    )
    lists = month_end_lists(projects=[world.estate.pk], month=MONTH)
    assert [g["complaints"][0]["id"] for g in lists["repeat_complaints"] if g["department"] == "environment"] == [c.pk]


def test_s02_two_repairs_are_not_a_repeat_and_cancelled_ones_do_not_count(generate, world):
    gen, _data = generate(4, complaints=0, repairs=0)
    from .conftest import local

    unit = gen.units[world.estate.pk][2]
    for day, status in ((4, "completed"), (5, "completed"), (6, "cancelled")):
        gen.repair(
            project=world.estate,
            unit=unit,
            price_item=None,
            description="阳台漏水",
            status=status,
            received_at=local(2026, 5, day),
        )
    lists = month_end_lists(projects=[world.estate.pk], month=MONTH)
    assert not [g for g in lists["repeat_repairs"] if g["unit_id"] == unit.pk]


@pytest.mark.parametrize("seed", [7, 99])
def test_s01_twelve_month_trend_matches_brute_force(generate, world, seed):
    _gen, data = generate(seed)
    ids = {world.estate.pk}
    rows = trend(projects=list(ids), month=MONTH)
    assert rows[0]["month"] == "2025-06" and rows[-1]["month"] == "2026-05" and len(rows) == 12
    for row in rows:
        m = parse_month(row["month"])
        complaints = [c for c in data.complaints if c.project_id in ids and in_month(c.received_at, m)]
        repairs = [r for r in data.repairs if r.project_id in ids and in_month(r.received_at, m)]
        assert row["complaints"] == len(complaints)
        assert row["responded_in_time"] == sum(kept(data, "response", c.pk) for c in complaints)
        assert row["repairs"] == len(repairs)
        assert row["repairs_on_time"] == sum(repair_on_time(data, r) for r in repairs)
    assert sum(r["complaints"] for r in rows) > 0
