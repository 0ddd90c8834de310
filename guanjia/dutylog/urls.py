"""The duty log (F08–F10, F14), mounted at ``/duty/``: the shift, its checks and log, the handover, calls and
phrases. The office's own ledgers (F11–F13) are ``office_urls``."""

from django.urls import path

from guanjia.dutylog.views import calls, desk

app_name = "duty"
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
]
