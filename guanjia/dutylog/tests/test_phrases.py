"""F14 Reception phrases: the standard phrases at hand; the phone is answered within three rings with the
greeting and the office's name."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from guanjia.core.errors import NotPossible
from guanjia.dutylog import selectors, services
from guanjia.dutylog.models import Phrase, PhraseCategory

pytestmark = pytest.mark.django_db


def test_f14_the_manuals_phrases_are_seeded_in_every_category():
    seeded = set(Phrase.objects.filter(project=None).values_list("category", flat=True))
    assert {"greeting", "welcome", "apology", "request", "thanks", "farewell", "phone"} <= seeded
    texts = set(Phrase.objects.values_list("text", flat=True))
    assert {"您好！", "欢迎光临！", "对不起！", "请稍候！", "谢谢！", "再见！"} <= texts


def test_f14_phone_greeting_names_the_office(world):
    phrases = selectors.phrases_for(world.estate)
    assert phrases[0]["category"] == PhraseCategory.PHONE.label
    assert phrases[0]["text"] == "您好！滨江花园客户服务中心，请问有什么可以帮您？"


def test_f14_phrases_are_at_hand_on_the_desk_and_calls_pages(world, web_as):
    client = web_as(world.front_desk)
    for name in ("duty:today", "duty:calls", "duty:phrases"):
        page = client.get(reverse(name)).content.decode()
        assert "电话铃响三声内接听" in page or "电话铃响三声之内接听" in page
        assert "滨江花园客户服务中心" in page and "请稍候！" in page


def test_f14_managers_add_project_phrases_and_the_desk_may_not(world):
    phrase = services.phrase_add(
        project=world.estate, category="farewell", text="祝您在{office}生活愉快！", actor=world.supervisor
    )
    assert any(p["text"] == "祝您在滨江花园生活愉快！" for p in selectors.phrases_for(world.estate))
    assert not any(p["phrase"] == phrase for p in selectors.phrases_for(world.other_estate))
    with pytest.raises(PermissionDenied):
        services.phrase_add(project=world.estate, category="thanks", text="x", actor=world.front_desk)


def test_f14_the_manuals_phrases_are_hidden_only_company_wide(world):
    manual = Phrase.objects.filter(project=None).first()
    with pytest.raises(NotPossible):
        services.phrase_set_active(phrase=manual, project=world.estate, active=False, actor=world.supervisor)
    services.phrase_set_active(phrase=manual, project=world.estate, active=False, actor=world.general_manager)
    assert manual.text not in [p["phrase"].text for p in selectors.phrases_for(world.estate)]


def test_f14_outsider_cannot_change_our_phrases(world, web_as):
    phrase = services.phrase_add(project=world.estate, category="thanks", text="多谢支持！", actor=world.supervisor)
    response = web_as(world.outsider).post(reverse("duty:phrase_toggle", args=[phrase.pk]), {"active": "0"})
    assert response.status_code == 403
    phrase.refresh_from_db()
    assert phrase.active


def test_f14_phrases_page_query_count(world, web_as, django_assert_max_num_queries):
    client = web_as(world.supervisor)
    client.get(reverse("duty:phrases"))
    with django_assert_max_num_queries(8):
        assert client.get(reverse("duty:phrases")).status_code == 200
