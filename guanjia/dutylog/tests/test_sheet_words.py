"""The handover sheet shows kinds of limits in words (issue 15: it showed ``custody_age`` and ``custody_due``),
in the reader's language, also on a sheet frozen when it was signed."""

from django.utils import translation

from guanjia.dutylog.views.desk import _for_display


def test_a_kind_code_or_a_kept_chinese_label_reads_as_words_in_either_language():
    sheet = {"deadlines": [{"kind": "custody_age"}, {"kind": "custody_due"}, {"kind": "响应"}]}
    with translation.override("zh-hans"):
        assert [d["kind"] for d in _for_display(sheet)["deadlines"]] == ["物品滞留", "到期归还", "响应"]
    with translation.override("en"):
        kinds = [d["kind"] for d in _for_display(sheet)["deadlines"]]
    assert not any("_" in k or any("\u4e00" <= ch <= "\u9fff" for ch in k) for k in kinds), kinds
