"""Every timeline reads an event the same way, in Chinese and in English."""

from django.utils import translation

from guanjia.timeline.labels import verb_label


def test_verbs_of_every_app_have_words():
    assert verb_label("customer.created") == "建立客户档案"
    assert verb_label("complaint.registered") == "登记投诉"
    assert verb_label("repair.logged") == "登记报修"
    assert verb_label("visit.done") == "已回访"
    assert verb_label("deadline.missed") == "时限已过"


def test_status_changes_read_as_the_status_and_unknown_verbs_as_written():
    assert verb_label("complaint.completed") == "处理完成"
    assert verb_label("repair.accepted") != "repair.accepted"
    assert verb_label("something.new") == "something.new"


def test_labels_follow_the_language():
    with translation.override("en"):
        assert verb_label("visit.done") != "已回访"
