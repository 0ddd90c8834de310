"""The policy: the manual's defaults, overrides per company and project, checks, history, who may edit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from guanjia.core.errors import ConflictError
from guanjia.policy.models import PolicyValue
from guanjia.policy.registry import KEYS, Kind
from guanjia.policy.selectors import Limit, policy_for, policy_for_company
from guanjia.policy.services import policy_reset, policy_set
from guanjia.timeline.models import Event

pytestmark = pytest.mark.django_db


def test_c06_critical_thresholds_default_to_the_manual(world):
    t = policy_for(world.estate).complaint_thresholds()
    assert t.critical_loss_yuan == Decimal(100_000)
    assert t.critical_customers == 10
    assert t.critical_deaths == 1


def test_c07_major_thresholds_default_to_the_manual(world):
    t = policy_for(world.estate).complaint_thresholds()
    assert t.major_loss_yuan == Decimal(10_000)
    assert t.major_repeats == 10
    assert t.major_media_days == 2
    assert t.major_media_outlets == 3


def test_c08_significant_thresholds_default_to_the_manual(world):
    t = policy_for(world.estate).complaint_thresholds()
    assert t.significant_loss_yuan == Decimal(2_000)
    assert t.significant_repeats == 3


def test_c13_time_limits_per_grade_default_to_the_manual(world):
    policy = policy_for(world.estate)
    general = policy.complaint_limits("general")
    assert (general.response_minutes, general.escalate_to, general.escalate_minutes) == (10, None, None)
    assert general.resolve == Limit(12, Kind.HOURS)
    significant = policy.complaint_limits("significant")
    assert (significant.response_minutes, significant.escalate_to, significant.escalate_minutes) == (
        8,
        "office_manager",
        8,
    )
    assert significant.resolve == Limit(48, Kind.HOURS)
    major = policy.complaint_limits("major")
    assert (major.response_minutes, major.escalate_to, major.escalate_minutes) == (5, "general_manager", 5)
    assert major.resolve == Limit(5, Kind.DAYS)
    critical = policy.complaint_limits("critical")
    assert (critical.response_minutes, critical.escalate_to, critical.escalate_minutes) == (1, "general_manager", 1)
    assert critical.resolve is None  # agreed with the customer case by case
    assert policy.get("complaint.response_minutes.general") == 10


def test_c16_reply_reminder_is_a_product_default(world):
    assert policy_for(world.estate).get("complaint.reply_reminder_minutes") == 30
    assert KEYS["complaint.reply_reminder_minutes"].source == "product"


def test_r02_r03_r04_r05_repair_limits_default_to_the_manual(world):
    limits = policy_for(world.estate).repair_limits()
    assert (limits.order_minutes, limits.notify_minutes) == (5, 5)  # R02
    assert limits.arrive_minutes == 15  # R03
    assert limits.arrive_before_appointment_minutes == 5  # R04
    assert limits.assess_minutes == 15  # R05


def test_v01_return_visit_due_dates_default_to_the_manual(world):
    policy = policy_for(world.estate)
    due = {case: policy.visit_rule(case).due for case in ("incident", "complaint", "repair", "activity", "other")}
    assert due == {
        "incident": Limit(1, Kind.WORKING_DAYS),
        "complaint": Limit(2, Kind.WORKING_DAYS),
        "repair": Limit(2, Kind.WORKING_DAYS),
        "activity": Limit(2, Kind.WORKING_DAYS),
        "other": Limit(1, Kind.WORKING_DAYS),
    }
    # V01: a critical or major complaint is visited within 1 working day, in an incident or not.
    assert policy.visit_rule("complaint", "major").due == policy.visit_rule("complaint", "critical").due
    assert policy.visit_rule("complaint", "major").due == Limit(1, Kind.WORKING_DAYS)
    assert policy.visit_rule("complaint", "significant").due == Limit(2, Kind.WORKING_DAYS)
    assert policy.visit_rule("activity").sample_percent == 20
    assert policy.visit_rule("complaint").sample_percent == 100
    special = policy.visit_rule("special_service")
    assert special.due is None and special.when == "midterm_or_end"


def test_v02_visitor_roles_default_to_the_manual(world):
    policy = policy_for(world.estate)
    assert policy.visitor_role("complaint", "critical") == "general_manager"
    assert policy.visitor_role("complaint", "major") == "general_manager"
    assert policy.visitor_role("complaint", "significant") == "office_manager"
    assert policy.visitor_role("complaint", "general") == "front_desk"
    assert policy.visitor_role("repair") == "front_desk"
    assert policy.visitor_role("incident", "major") == policy.visitor_role("incident", "critical") == "general_manager"


def test_v08_v10_quotas_and_export_day_default_to_the_rules(world):
    policy = policy_for(world.estate)
    assert policy.visit_quota("cs_supervisor") == 3  # V08: the CS-center manager
    assert policy.visit_quota("office_manager") == 1  # V08: the head of the management office
    assert policy.visit_quota("general_manager") is None
    assert policy.records_export_day() == 10  # V10


def test_v08_policies_of_many_projects_resolve_in_one_query(world, django_assert_num_queries):
    from guanjia.policy.selectors import policies_for

    policy_set(company=world.company, key="visit.quota.cs_supervisor", value=4, actor=world.general_manager)
    policy_set(
        company=world.company,
        project=world.other_estate,
        key="visit.quota.cs_supervisor",
        value=5,
        actor=world.general_manager,
    )
    with django_assert_num_queries(1):
        by_project, by_company = policies_for([world.estate, world.other_estate])
    assert by_project[world.estate.pk].visit_quota("cs_supervisor") == 4  # the company's value
    assert by_project[world.other_estate.pk].visit_quota("cs_supervisor") == 5  # the project's own
    assert by_company[world.company.pk].visit_quota("cs_supervisor") == 4


def test_v01_major_complaint_visitor_is_the_general_manager_or_the_office_manager(world):
    from guanjia.policy.registry import KEYS

    for grade in ("major", "critical"):
        assert [v for v, _label in KEYS[f"visit.visitor_role.complaint_{grade}"].choices] == [
            "general_manager",
            "office_manager",
        ]


def test_every_key_has_a_rule_a_label_and_a_valid_default():
    from guanjia.policy.services import parse_value

    for spec in KEYS.values():
        assert spec.rule and str(spec.label)
        assert parse_value(spec, spec.default) == spec.default


def test_project_override_beats_company_override_beats_the_manual(world):
    key = "complaint.response_minutes.general"
    policy_set(company=world.company, key=key, value=20, actor=world.general_manager, reason="公司统一")
    assert policy_for(world.estate, refresh=True).get(key) == 20
    assert policy_for(world.other_estate).get(key) == 20
    assert policy_for_company(world.company).get(key) == 20

    policy_set(company=world.company, project=world.estate, key=key, value=15, actor=world.office_manager)
    assert policy_for(world.estate).get(key) == 15
    assert policy_for(world.estate).source(key) == "project"
    assert policy_for(world.other_estate, refresh=True).get(key) == 20

    assert policy_reset(company=world.company, project=world.estate, key=key, actor=world.office_manager)
    assert policy_for(world.estate).get(key) == 20
    policy_reset(company=world.company, key=key, actor=world.general_manager)
    assert policy_for(world.estate, refresh=True).get(key) == 10


def test_policy_resolves_in_one_query(world, django_assert_num_queries):
    policy_set(company=world.company, key="repair.arrive_minutes", value=20, actor=None)
    policy_set(company=world.company, project=world.estate, key="repair.assess_minutes", value=10, actor=None)
    with django_assert_num_queries(1):
        policy = policy_for(world.estate, refresh=True)
        assert policy.repair_limits().arrive_minutes == 20
        assert policy.repair_limits().assess_minutes == 10
        assert policy.complaint_limits("major").response_minutes == 5
        policy_for(world.estate)  # memoised on the instance


def test_c13_negative_minutes_are_refused_and_change_nothing(world):
    key = "complaint.response_minutes.general"
    with pytest.raises(ValidationError) as caught:
        policy_set(company=world.company, project=world.estate, key=key, value=-5, actor=world.office_manager)
    assert key in caught.value.message_dict
    assert "响应时限" in caught.value.message_dict[key][0]
    for bad in ("abc", "1.5", ""):
        with pytest.raises(ValidationError):
            policy_set(company=world.company, project=world.estate, key=key, value=bad, actor=world.office_manager)
    assert not PolicyValue.objects.exists()
    assert not Event.objects.filter(verb="policy.set").exists()


def test_c08_significant_loss_must_stay_below_major_loss(world):
    with pytest.raises(ValidationError) as caught:
        policy_set(
            company=world.company, key="complaint.significant.loss_yuan", value="10000", actor=world.general_manager
        )
    message = caught.value.message_dict["complaint.significant.loss_yuan"][0]
    assert "须小于" in message and "重大" in message and "10,000 元" in message
    assert not PolicyValue.objects.exists()


def test_c07_major_loss_must_stay_below_critical_loss_in_every_project(world):
    # Given a project whose significant loss is raised to 8000 …
    policy_set(
        company=world.company,
        project=world.estate,
        key="complaint.significant.loss_yuan",
        value=8000,
        actor=world.office_manager,
    )
    # … lowering the company's major loss to 5000 would break that project's order
    with pytest.raises(ValidationError) as caught:
        policy_set(company=world.company, key="complaint.major.loss_yuan", value=5000, actor=world.general_manager)
    assert "滨江花园" in caught.value.message_dict["complaint.major.loss_yuan"][0]
    assert policy_for(world.estate, refresh=True).get("complaint.major.loss_yuan") == Decimal(10_000)


def test_c08_repeats_must_stay_below_major_repeats(world):
    with pytest.raises(ValidationError):
        policy_set(company=world.company, key="complaint.significant.repeats", value=10, actor=None)
    policy_set(company=world.company, key="complaint.significant.repeats", value=9, actor=None)


def test_c13_escalation_role_accepts_none_and_roles_only(world):
    key = "complaint.escalate_to.significant"
    policy_set(company=world.company, key=key, value="", actor=world.general_manager)
    assert policy_for(world.estate).complaint_limits("significant").escalate_to is None
    with pytest.raises(ValidationError):
        policy_set(company=world.company, key=key, value="janitor", actor=world.general_manager)


def test_every_change_is_recorded_on_the_timeline(world):
    key = "repair.arrive_minutes"
    row = policy_set(
        company=world.company, project=world.estate, key=key, value=20, actor=world.office_manager, reason="人手不足"
    )
    policy_set(company=world.company, project=world.estate, key=key, value=25, actor=world.office_manager)
    policy_reset(company=world.company, project=world.estate, key=key, actor=world.office_manager, reason="恢复")
    events = list(Event.objects.filter(verb__startswith="policy.").order_by("id"))
    assert [e.verb for e in events] == ["policy.set", "policy.set", "policy.reset"]
    assert events[0].data == {"key": key, "company": world.company.pk, "scope": "project", "from": 15, "to": 20}
    assert events[0].reason == "人手不足" and events[0].actor == world.office_manager
    assert events[0].project == world.estate and events[0].subject_id == row.pk
    assert (events[1].data["from"], events[1].data["to"]) == (20, 25)
    assert (events[2].data["from"], events[2].data["to"]) == (25, 15)


def test_stale_version_is_a_conflict(world):
    key = "repair.assess_minutes"
    row = policy_set(company=world.company, key=key, value=20, actor=None, version=0)
    policy_set(company=world.company, key=key, value=25, actor=None, version=row.version)
    with pytest.raises(ConflictError):
        policy_set(company=world.company, key=key, value=30, actor=None, version=row.version)
    assert policy_for(world.estate).get(key) == 25


@pytest.mark.parametrize("persona", ["front_desk", "butler", "technician", "supervisor", "outsider"])
def test_only_managers_may_change_the_policy(world, persona):
    with pytest.raises(PermissionError):
        policy_set(
            company=world.company,
            project=world.estate,
            key="repair.arrive_minutes",
            value=20,
            actor=world.persona(persona),
        )
    assert not PolicyValue.objects.exists()


def test_office_manager_may_not_change_company_defaults_or_another_project(world):
    for project in (None, world.other_estate):
        with pytest.raises(PermissionError):
            policy_set(
                company=world.company,
                project=project,
                key="repair.arrive_minutes",
                value=20,
                actor=world.office_manager,
            )


# --- the settings page ---------------------------------------------------------------------------


def test_settings_page_shows_every_rule_with_defaults(world, web_as, django_assert_max_num_queries):
    client = web_as(world.office_manager)
    policy_set(company=world.company, key="repair.arrive_minutes", value=20, actor=world.general_manager)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("policy:settings"))
    assert response.status_code == 200
    text = response.content.decode()
    for rule in ("C06", "C07", "C08", "C13", "R02", "R03", "R04", "R05", "V01"):
        assert f'id="rule-{rule}"' in text
    assert "100,000 元" in text and "一事一议" in text
    assert "20 分钟" in text


@pytest.mark.parametrize("persona", ["front_desk", "butler", "technician", "outsider"])
def test_settings_page_is_refused_to_staff_who_do_not_manage(world, web_as, persona):
    client = web_as(world.persona(persona))
    assert client.get(reverse("policy:settings")).status_code == 403
    response = client.post(
        reverse("policy:settings"), {"key": "repair.arrive_minutes", "scope": "project", "value": "1"}
    )
    assert response.status_code == 403
    assert not PolicyValue.objects.exists()


def test_supervisor_reads_but_cannot_edit(world, web_as):
    client = web_as(world.supervisor)
    page = client.get(reverse("policy:settings"))
    assert page.status_code == 200 and 'name="action"' not in page.content.decode()
    response = client.post(
        reverse("policy:settings"), {"key": "repair.arrive_minutes", "scope": "project", "value": "1"}
    )
    assert response.status_code == 403


def test_office_manager_edits_their_project_from_the_page(world, web_as):
    client = web_as(world.office_manager)
    response = client.post(
        reverse("policy:settings"),
        {"key": "repair.arrive_minutes", "scope": "project", "value": "20", "reason": "试行", "action": "set"},
    )
    assert response.status_code == 302
    assert policy_for(world.estate).get("repair.arrive_minutes") == 20
    assert Event.objects.get(verb="policy.set").reason == "试行"
    company_attempt = client.post(
        reverse("policy:settings"), {"key": "repair.arrive_minutes", "scope": "company", "value": "30"}
    )
    assert company_attempt.status_code == 403


def test_page_shows_errors_inline_and_changes_nothing(world, web_as):
    client = web_as(world.general_manager)
    response = client.post(
        reverse("policy:settings"),
        {"key": "complaint.response_minutes.major", "scope": "company", "value": "-1", "action": "set"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert 'role="alert"' in text and "不能小于" in text
    assert text.lstrip().startswith("<tr")
    assert not PolicyValue.objects.exists()


def test_general_manager_sets_and_resets_company_default_with_htmx(world, web_as):
    client = web_as(world.general_manager)
    url = reverse("policy:settings")
    key = "visit.sample_percent.activity"
    response = client.post(
        url, {"key": key, "scope": "company", "value": "30", "action": "set"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "30%" in response.content.decode()
    assert policy_for_company(world.company).get(key) == 30
    client.post(url, {"key": key, "scope": "company", "action": "reset"}, HTTP_HX_REQUEST="true")
    assert policy_for_company(world.company).get(key) == 20
    page = client.get(url).content.decode()
    assert "修改记录" in page and "恢复默认" in page
