"""The office's own ledgers (F11–F13), mounted at ``/office/``: meeting rooms, notices and fees."""

from django.urls import path

from guanjia.dutylog.views import office

app_name = "office"
urlpatterns = [
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
