from django.urls import path

from guanjia.dutylog.views import calls, desk, office

app_name = "dutylog"
urlpatterns = [
    # F08 duty log and the desk page
    path("", desk.today, name="today"),
    path("shifts/open/", desk.shift_open, name="shift_open"),
    path("shifts/<int:pk>/check/", desk.check, name="check"),
    path("shifts/<int:pk>/log/", desk.entry_add, name="entry_add"),
    path("checks/<int:pk>/repair/", desk.check_repair, name="check_repair"),
    path("checks/<int:pk>/repair-number/", desk.check_link_repair, name="check_link_repair"),
    path("log/<int:pk>/close/", desk.entry_close, name="entry_close"),
    # F09 handover
    path("shifts/<int:pk>/handover/", desk.handover, name="handover"),
    path("shifts/<int:pk>/handover/submit/", desk.handover_submit, name="handover_submit"),
    path("handovers/<int:pk>/sign/", desk.handover_sign, name="handover_sign"),
    # F10 calls, F14 phrases
    path("calls/", calls.calls, name="calls"),
    path("calls/add/", calls.call_add, name="call_add"),
    path("calls/<int:pk>/phone/", calls.call_phone, name="call_phone"),
    path("relays/<int:pk>/read/", calls.relay_read, name="relay_read"),
    path("tasks/<int:pk>/done/", calls.task_done, name="task_done"),
    path("phrases/", calls.phrases, name="phrases"),
    path("phrases/add/", calls.phrase_add, name="phrase_add"),
    path("phrases/<int:pk>/toggle/", calls.phrase_toggle, name="phrase_toggle"),
    # F11 meeting rooms
    path("rooms/", office.rooms, name="rooms"),
    path("rooms/add/", office.room_add, name="room_add"),
    path("rooms/book/", office.booking_add, name="booking_add"),
    path("bookings/<int:pk>/move/", office.booking_move, name="booking_move"),
    # F12 notices
    path("notices/", office.notices, name="notices"),
    path("notices/add/", office.notice_add, name="notice_add"),
    path("notices/<int:pk>/move/", office.notice_move, name="notice_move"),
    # F13 fees
    path("fees/", office.fees, name="fees"),
    path("fees/notices/add/", office.fee_add, name="fee_add"),
    path("fees/notices/<int:pk>/paid/", office.fee_paid, name="fee_paid"),
    path("fees/plans/open/", office.plan_open, name="plan_open"),
    path("fees/plans/<int:pk>/follow-up/", office.plan_follow_up, name="plan_follow_up"),
    path("fees/parking/", office.parking_save, name="parking_save"),
]
