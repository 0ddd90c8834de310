"""C12: the system proposes likely incidents: same place, close in time, similar words."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from guanjia.complaints.similarity import Features, keywords, match, text_similarity

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def features(text, *, building=1, location="", hours=0.0):
    return Features(building_id=building, location=location, at=T0 + timedelta(hours=hours), words=keywords(text))


def test_c12_keywords_segment_chinese_and_drop_stopwords():
    words = keywords("3栋电梯困人半小时，物业太不负责！")
    assert {"电梯", "困人"} & words
    assert "物业" not in words and "，" not in "".join(words)


def test_c12_the_same_lift_breakdown_scores_far_above_an_unrelated_complaint():
    new = features("3栋2单元电梯又坏了，把老人困在里面", location="3栋2单元电梯")
    same = features("电梯困人，3栋电梯故障半小时没人来", location="3栋电梯", hours=1)
    other = features("楼下餐馆油烟太大，晚上噪音扰民", building=7, location="7栋商铺", hours=1)
    assert match(new, same).score > 0.5
    assert match(new, same).score > 2 * match(new, other).score
    assert "内容相似" in match(new, same).reasons


def test_c12_complaints_three_days_apart_are_not_one_incident():
    new = features("地下车库漏水", location="地下车库")
    old = features("地下车库漏水", location="地下车库", hours=-73)
    assert match(new, old).score == 0.0


@given(st.text(max_size=40), st.text(max_size=40))
def test_c12_text_similarity_is_symmetric_and_bounded(a, b):
    ka, kb = keywords(a), keywords(b)
    assert 0.0 <= text_similarity(ka, kb) <= 1.0
    assert text_similarity(ka, kb) == text_similarity(kb, ka)
