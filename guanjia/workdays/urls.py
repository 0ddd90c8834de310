from django.urls import path

from guanjia.workdays import views

app_name = "workdays"
urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("day/", views.day_edit, name="day_edit"),
    path("year/confirm/", views.year_confirm, name="year_confirm"),
    path("notice/", views.notice_import, name="notice_import"),
]
