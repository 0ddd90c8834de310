"""C05–C11: every rule of the grade calculator and each boundary of C06–C08."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guanjia.complaints.grading import (
    GRADE_ORDER,
    Grade,
    GradeFacts,
    GradeThresholds,
    Injury,
    compute_grade,
    rank,
)


def grade(**facts) -> Grade:
    return compute_grade(GradeFacts(**facts)).grade


@pytest.mark.parametrize(
    ("loss", "expected"),
    [
        (0, Grade.GENERAL),
        (Decimal("1999.99"), Grade.GENERAL),
        (2000, Grade.SIGNIFICANT),
        (Decimal("9999.99"), Grade.SIGNIFICANT),
        (10000, Grade.MAJOR),
        (Decimal("99999.99"), Grade.MAJOR),
        (100000, Grade.CRITICAL),
    ],
)
def test_c06_c07_c08_economic_loss_boundaries(loss, expected):
    assert grade(economic_loss_yuan=Decimal(loss)) == expected


def test_c08_the_seed_2023_is_a_conversion_artefact_and_2000_is_the_step():
    assert grade(economic_loss_yuan=Decimal(2000)) == Grade.SIGNIFICANT
    assert grade(economic_loss_yuan=Decimal(2022)) == Grade.SIGNIFICANT


@pytest.mark.parametrize(("customers", "expected"), [(1, Grade.GENERAL), (9, Grade.GENERAL), (10, Grade.CRITICAL)])
def test_c06_ten_customers_in_one_incident_is_critical(customers, expected):
    assert grade(customers_in_incident=customers) == expected


@pytest.mark.parametrize(("deaths", "expected"), [(0, Grade.GENERAL), (1, Grade.CRITICAL), (3, Grade.CRITICAL)])
def test_c06_one_death_is_critical(deaths, expected):
    assert grade(deaths=deaths) == expected


@pytest.mark.parametrize(
    ("repeat_count", "expected"),
    [
        (0, Grade.GENERAL),  # raised for the first time
        (1, Grade.GENERAL),  # 2nd time
        (2, Grade.SIGNIFICANT),  # 3rd time: C08 "3 to 9 times"
        (8, Grade.SIGNIFICANT),  # 9th time
        (9, Grade.MAJOR),  # 10th time: C07 "10 or more times"
        (20, Grade.MAJOR),
    ],
)
def test_c07_c08_repeat_boundaries_count_this_complaint_too(repeat_count, expected):
    assert grade(repeat_count=repeat_count) == expected


@pytest.mark.parametrize(
    ("injury", "expected"),
    [(Injury.NONE, Grade.GENERAL), (Injury.MINOR, Grade.SIGNIFICANT), (Injury.SERIOUS, Grade.MAJOR)],
)
def test_c07_c08_injury(injury, expected):
    assert grade(injury=injury) == expected


@pytest.mark.parametrize(
    ("days", "outlets", "expected"),
    [
        (0, 0, Grade.GENERAL),
        (1, 0, Grade.SIGNIFICANT),
        (0, 1, Grade.SIGNIFICANT),
        (0, 2, Grade.SIGNIFICANT),
        (2, 0, Grade.MAJOR),
        (0, 3, Grade.MAJOR),
    ],
)
def test_c07_c08_media_coverage_boundaries(days, outlets, expected):
    assert grade(media_days=days, media_outlets=outlets) == expected


def test_c05_a_complaint_to_the_authorities_is_at_least_major():
    assert grade(to_authorities=True) == Grade.MAJOR
    assert grade(to_authorities=True, deaths=1) == Grade.CRITICAL


def test_c09_a_complaint_meeting_no_higher_rule_is_general_with_its_reason():
    result = compute_grade(GradeFacts())
    assert result.grade == Grade.GENERAL
    assert [r.rule for r in result.reasons] == ["C09"]


def test_c10_the_highest_rule_wins_and_every_reason_is_listed():
    result = compute_grade(GradeFacts(economic_loss_yuan=Decimal(5000), injury=Injury.SERIOUS))
    assert result.grade == Grade.MAJOR
    assert {r.rule for r in result.reasons} == {"C07", "C08"}


@pytest.mark.parametrize(
    ("facts", "steps", "expected"),
    [
        ({}, 1, Grade.SIGNIFICANT),  # C08: a general complaint mishandled and escalated
        ({"economic_loss_yuan": Decimal(3000)}, 1, Grade.MAJOR),  # C07: a significant one mishandled
        ({"injury": Injury.SERIOUS}, 1, Grade.CRITICAL),  # C06: a major one mishandled
        ({"deaths": 1}, 1, Grade.CRITICAL),  # already the top grade
        ({}, 2, Grade.MAJOR),
    ],
)
def test_c11_each_mishandling_raises_the_grade_one_step(facts, steps, expected):
    assert compute_grade(GradeFacts(**facts, mishandled_steps=steps)).grade == expected


def test_thresholds_come_from_policy_data_not_constants():
    stricter = GradeThresholds(significant_loss_yuan=Decimal(1000))
    assert compute_grade(GradeFacts(economic_loss_yuan=Decimal(1500)), stricter).grade == Grade.SIGNIFICANT
    assert compute_grade(GradeFacts(economic_loss_yuan=Decimal(1500))).grade == Grade.GENERAL


facts_strategy = st.builds(
    GradeFacts,
    economic_loss_yuan=st.decimals(min_value=0, max_value=10**7, places=2),
    customers_in_incident=st.integers(1, 50),
    deaths=st.integers(0, 5),
    injury=st.sampled_from(list(Injury)),
    media_days=st.integers(0, 10),
    media_outlets=st.integers(0, 10),
    to_authorities=st.booleans(),
    repeat_count=st.integers(0, 30),
    mishandled_steps=st.integers(0, 4),
)


@given(
    facts_strategy,
    st.sampled_from(
        [
            "economic_loss_yuan",
            "customers_in_incident",
            "deaths",
            "repeat_count",
            "media_days",
            "media_outlets",
            "mishandled_steps",
        ]
    ),
)
def test_c10_worsening_any_fact_never_lowers_the_grade(facts, field):
    worse_value = getattr(facts, field) + (Decimal(1000) if field == "economic_loss_yuan" else 1)
    worse = GradeFacts(**{**facts.__dict__, field: worse_value})
    assert rank(compute_grade(worse).grade) >= rank(compute_grade(facts).grade)


@given(facts_strategy)
def test_c10_the_grade_is_the_highest_reason_stepped_up_by_mishandling(facts):
    result = compute_grade(facts)
    assert result.grade in GRADE_ORDER
    assert rank(result.grade) == min(rank(result.base_grade) + facts.mishandled_steps, 3)
    assert all(rank(r.grade) <= rank(result.base_grade) for r in result.reasons if r.rule != "C11")
