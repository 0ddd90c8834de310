"""A complaint's grounds for its grade read as words in the reader's language, without rule codes, and only the
grounds that apply (issue 15: a significant complaint listed both "C09 未达到…" and "C11 处理不当升级")."""

from decimal import Decimal

from django.utils import translation

from guanjia.complaints.grading import GradeFacts, compute_grade
from guanjia.complaints.labels import grade_reason_words


def stored(facts: GradeFacts) -> list[dict[str, str]]:
    # as the services keep them on the complaint (``grade_reasons``)
    return [{"rule": r.rule, "grade": str(r.grade), "text": r.text} for r in compute_grade(facts).reasons]


def test_a_complaint_raised_by_mishandling_lists_only_the_mishandling():
    reasons = stored(GradeFacts(mishandled_steps=1))
    assert [r["rule"] for r in reasons] == ["C09", "C11"]  # both kept, as the rules computed them
    with translation.override("zh-hans"):
        assert grade_reason_words(reasons) == ["处理不当升级 1 次"]
    with translation.override("en"):
        words = grade_reason_words(reasons)
    assert len(words) == 1 and "1" in words[0] and not any("\u4e00" <= ch <= "\u9fff" for ch in words[0])


def test_an_ungraded_complaint_says_why_in_words_and_no_ground_shows_a_rule_code():
    with translation.override("zh-hans"):
        assert grade_reason_words(stored(GradeFacts())) == ["未达到较大及以上投诉的条件"]
    facts = GradeFacts(economic_loss_yuan=Decimal("60000"), to_authorities=True, media_days=2, media_outlets=1)
    for language in ("zh-hans", "en"):
        with translation.override(language):
            words = grade_reason_words(stored(facts))
        assert len(words) == len(stored(facts)) >= 3
        assert not any(w.startswith("C") and w[1:3].isdigit() for w in words)
    with translation.override("en"):
        assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in w) for w in grade_reason_words(stored(facts)))


def test_a_ground_written_before_today_is_shown_as_written():
    assert grade_reason_words([{"rule": "C99", "text": "旧的依据"}, "纯文本依据"]) == ["旧的依据", "纯文本依据"]
