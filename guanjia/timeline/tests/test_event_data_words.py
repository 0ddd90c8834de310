"""A timeline never shows a raw key or value (issue 15: "automatic 否", "count 1", "起因 mishandled", front_desk,
on_time): each key reads as a label, each coded value as its choice's label, flags as 是/否, and what has no
words (an unnamed key, an unnamed code) is left off the page."""

from django.utils import translation

from guanjia.complaints.views.timeline import event_details


def words(data):
    with translation.override("zh-hans"):
        return dict(event_details(data, {}))


def test_coded_values_read_as_their_labels():
    shown = words({"cause": "mishandled", "role": "front_desk", "count": 1, "on_time": False, "outcome": "no_answer"})
    assert shown == {
        "起因": "认定处理不当",
        "上报对象": "前台",
        "处理不当次数": "1",
        "按时": "否",
        "回访结果": "无人接听",
    }


def test_a_nature_decision_reads_as_words_and_unnamed_keys_and_codes_stay_off_the_page():
    assert words({"from": "undetermined", "to": "valid"}) == {"状态": "待定 → 有效投诉"}
    assert words({"automatic": False, "some_new_key": "x", "method": "some_code"}) == {}
    assert words({"automatic": True}) == {"系统自动": "是"}


def test_english_timeline_has_no_chinese_label_left():
    with translation.override("en"):
        shown = dict(event_details({"cause": "mishandled", "on_time": True, "role": "front_desk"}, {}))
    text = " ".join(f"{k} {v}" for k, v in shown.items())
    assert len(shown) == 3 and not any("\u4e00" <= ch <= "\u9fff" for ch in text), text
