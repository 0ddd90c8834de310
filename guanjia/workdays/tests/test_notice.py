"""Reading the State Council's holiday notice pasted by the administrator (V04). No database."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from guanjia.workdays.notice import NoticeDay, parse_notice
from guanjia.workdays.package import package_days

NOTICE_2026 = """国务院办公厅关于2026年部分节假日安排的通知
经国务院批准，现将2026年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作，遇有重大突发事件，要按规定及时报告并妥善处置。
"""


def test_v04_the_2026_notice_gives_exactly_the_published_arrangement():
    parsed = {n.day: n.is_workday for n in parse_notice(NOTICE_2026, 2026)}
    published = {d: p.is_workday for d, p in package_days().items() if d.year == 2026}
    assert parsed == published


def test_v04_notice_lines_name_the_days():
    days = parse_notice("春节：2月15日至23日放假调休，共9天。2月14日（周六）、2月28日（周六）上班。", 2026)
    assert days[0] == NoticeDay(date(2026, 2, 14), True, "春节调休")
    assert NoticeDay(date(2026, 2, 15), False, "春节") in days
    assert days[-1] == NoticeDay(date(2026, 2, 28), True, "春节调休")
    assert len(days) == 11


def test_v04_single_day_and_combined_festival_lines_of_the_2025_notice():
    days = parse_notice(
        "一、元旦：1月1日（周三）放假1天，不调休。\n"
        "六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。",
        2025,
    )
    assert days[0] == NoticeDay(date(2025, 1, 1), False, "元旦")
    assert NoticeDay(date(2025, 10, 8), False, "国庆节、中秋节") in days
    assert [d.day for d in days if d.is_workday] == [date(2025, 9, 28), date(2025, 10, 11)]
    assert len(days) == 11


def test_v04_a_table_copied_from_a_web_page():
    days = parse_notice(
        "节日\t放假时间\t调休上班日期\n春节\t2月15日至23日\t2月14日、2月28日\n清明节\t4月4日至6日\t", 2026
    )
    assert [d.day for d in days if d.is_workday] == [date(2026, 2, 14), date(2026, 2, 28)]
    assert sum(not d.is_workday for d in days) == 12


def test_v04_a_range_across_new_year():
    days = parse_notice("元旦：12月31日至1月2日放假，共3天。", 2027)
    assert [d.day for d in days] == [date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 2)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "请粘贴国务院通知的内容"),
        ("你好", "没有识别出任何节日"),
        (
            "国务院办公厅关于2026年部分节假日安排的通知\n春节：2月15日至23日放假。",
            "通知是2026年的，与所填年份2027不一致",
        ),
        ("春节：2月30日至3月2日放假。", "第1行：日期“2月30日”不存在"),
        ("春节：2月15日至23日放假。2月15日上班。", "第1行：2027-02-15既放假又上班"),
        ("春节：15日至23日放假。", "缺少月份"),
        ("春节：2月15日至2月3日放假。", "放假结束日期早于开始日期"),
        ("春节：全部取消", "第1行：找不到“放假”"),
    ],
)
def test_v04_unreadable_notices_name_the_field_and_the_line(text, message):
    with pytest.raises(ValidationError) as err:
        parse_notice(text, 2027)
    assert list(err.value.message_dict) == ["text"]
    assert message in err.value.message_dict["text"][0]
