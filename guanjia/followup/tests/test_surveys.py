"""T07: satisfaction questionnaires run on a schedule, answered on a phone (or filled in on a call), summarised."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanjia.cases.periodic import run_periodic
from guanjia.core.errors import ConflictError
from guanjia.followup import services
from guanjia.followup.models import SurveyResponse, SurveyRound
from guanjia.followup.selectors import survey_summary
from guanjia.followup.tests.conftest import SERVICE_AT, at
from guanjia.testing.factories import make_customer

QUESTIONS = [
    {"text": "对管家服务的满意度", "type": "rating"},
    {"text": "您最常用的联系方式", "type": "choice", "choices": "电话，微信，上门"},
    {"text": "其他建议", "type": "text"},
]


@pytest.fixture
def customers(world):
    services.profile_ensure(customer=world.customer, actor=world.butler, now=SERVICE_AT)
    others = [make_customer(world.estate, name=f"客户{i}", phones=(f"1360000000{i}",)) for i in range(3)]
    for c in others:
        services.profile_ensure(customer=c, actor=world.butler, now=SERVICE_AT)
    return [world.customer, *others]


@pytest.fixture
def survey(world, customers):
    return services.survey_create(
        project=world.estate,
        title="2026 年第四季度满意度调查",
        questions=QUESTIONS,
        schedule="quarterly",
        first_round_on=date(2026, 11, 10),
        actor=world.supervisor,
        now=at("2026-11-02"),
    )


def _answer(response, rating, choice, text="", when="2026-11-12"):
    return services.survey_answer(response=response, answers={"q1": rating, "q2": choice, "q3": text}, now=at(when))


def test_t07_questions_are_checked_and_keyed(survey):
    assert [q["key"] for q in survey.questions] == ["q1", "q2", "q3"]
    assert survey.questions[1]["choices"] == ["电话", "微信", "上门"]


def test_t07_bad_questions_name_the_field(world):
    for questions in ([], [{"text": "x", "type": "choice", "choices": "一"}], [{"text": "x", "type": "slider"}]):
        with pytest.raises(ValidationError) as err:
            services.survey_create(
                project=world.estate,
                title="x",
                questions=questions,
                schedule="monthly",
                first_round_on=date(2026, 12, 1),
                actor=world.supervisor,
                now=at("2026-11-02"),
            )
        assert "questions" in err.value.message_dict


def test_t07_rounds_open_on_schedule_once_with_a_link_per_customer(world, survey, customers):
    run_periodic(at("2026-11-09", "23:00"))
    assert not SurveyRound._default_manager.exists()
    run_periodic(at("2026-11-10", "08:00"))
    run_periodic(at("2026-11-10", "08:05"))
    round_ = SurveyRound._default_manager.get()
    assert (round_.opens_on, round_.closes_on) == (date(2026, 11, 10), date(2026, 11, 23))
    assert SurveyResponse._default_manager.filter(round=round_).count() == len(customers)
    assert len({r.token for r in SurveyResponse._default_manager.all()}) == len(customers)
    survey.refresh_from_db()
    assert survey.next_round_on == date(2027, 2, 10)  # quarterly


def test_t07_summary_averages_ratings_and_counts_choices_in_sql(
    world, survey, customers, django_assert_max_num_queries
):
    round_ = services.survey_open_round(survey=survey, now=at("2026-11-10"))
    responses = list(SurveyResponse._default_manager.filter(round=round_).order_by("id"))
    _answer(responses[0], "5", "电话", "很好")
    _answer(responses[1], "4", "微信")
    _answer(responses[2], "2", "电话")
    with django_assert_max_num_queries(5):
        summary = survey_summary(survey, round_)
    assert (summary.invited, summary.answered, summary.response_rate) == (4, 3, 75.0)
    rating, choice, text = summary.questions
    assert rating.average == pytest.approx(3.67) and rating.answered == 3
    assert choice.counts == [("电话", 2), ("微信", 1), ("上门", 0)]
    assert text.texts == ["很好"]


def test_t07_a_questionnaire_is_answered_once_and_only_while_open(world, survey):
    round_ = services.survey_open_round(survey=survey, now=at("2026-11-10"))
    response = SurveyResponse._default_manager.filter(round=round_).first()
    with pytest.raises(ValidationError) as err:
        _answer(response, "9", "电话")
    assert "q1" in err.value.message_dict
    _answer(response, "5", "电话")
    with pytest.raises(ConflictError):
        _answer(response, "4", "微信")
    late = SurveyResponse._default_manager.filter(round=round_, answered_at__isnull=True).first()
    with pytest.raises(ConflictError):
        _answer(late, "4", "微信", when="2026-11-24")


def test_t07_customer_answers_on_the_phone_page_without_logging_in(world, client, survey):
    round_ = services.survey_open_round(survey=survey, now=at("2026-11-10"))
    response = SurveyResponse._default_manager.get(round=round_, customer=world.customer)
    round_.opens_on, round_.closes_on = date.today(), date.today()
    round_.save()
    url = f"/followup/s/{response.token}/"
    page = client.get(url).content.decode()
    assert "对管家服务的满意度" in page and "李明" in page
    bad = client.post(url, {"q2": "电话"})
    assert bad.status_code == 400 and "请选择 1–5 分" in bad.content.decode()
    done = client.post(url, {"q1": "4", "q2": "微信", "q3": "保持"})
    assert "谢谢您" in done.content.decode()
    response.refresh_from_db()
    assert response.answered_at is not None and response.via == "link"
    assert "已经填写过了" in client.get(url).content.decode()
    assert client.get("/followup/s/not-a-token/").status_code == 404


def test_t07_staff_fill_in_on_a_call_and_see_the_summary(world, web_as, survey, customers):
    round_ = services.survey_open_round(survey=survey, now=at("2026-11-10"))
    round_.opens_on, round_.closes_on = date.today(), date.today()
    round_.save()
    client = web_as(world.butler)
    page = client.get(f"/followup/surveys/{survey.pk}/").content.decode()
    assert "电话中代填" in page and "客户0" in page
    client.post(f"/followup/surveys/{survey.pk}/", {"customer": customers[1].pk, "q1": "3", "q2": "上门"})
    answered = SurveyResponse._default_manager.get(round=round_, customer=customers[1])
    assert answered.via == "staff" and answered.filled_by == world.butler
    page = client.get(f"/followup/surveys/{survey.pk}/?round={round_.pk}").content.decode()
    assert "平均 3.0 分" in page and "上门：1" in page


def test_t07_surveys_page_creates_a_survey_for_supervisors_only(world, web_as, customers):
    data = {
        "title": "入住满意度",
        "schedule": "monthly",
        "first_round_on": str(date.today()),
        "round_days": "7",
        "q_text": ["总体满意度", ""],
        "q_type": ["rating", "rating"],
        "q_choices": ["", ""],
    }
    assert web_as(world.butler).post("/followup/surveys/", data).status_code == 403
    response = web_as(world.supervisor).post("/followup/surveys/", data, follow=True)
    assert "问卷已保存" in response.content.decode()
    # The first round starts today: it is open at once, with a link for each archived customer.
    assert SurveyResponse._default_manager.filter(round__survey__title="入住满意度").count() == len(customers)


def test_t07_outsider_sees_no_survey_and_cannot_fill(world, web_as, survey):
    services.survey_open_round(survey=survey, now=at("2026-11-10"))
    client = web_as(world.outsider)
    assert client.get(f"/followup/surveys/{survey.pk}/").status_code == 404
    assert client.post(f"/followup/surveys/{survey.pk}/", {"customer": world.customer.pk, "q1": "1"}).status_code == 404
    assert "季度满意度" not in client.get("/followup/surveys/").content.decode()
    with pytest.raises(PermissionDenied):
        services.survey_create(
            project=world.estate,
            title="x",
            questions=QUESTIONS,
            schedule="monthly",
            first_round_on=date(2026, 12, 1),
            actor=world.outsider,
        )
