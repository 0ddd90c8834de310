from django.urls import path

from guanjia.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.staff_list, name="staff_list"),
    path("new/", views.staff_create, name="staff_create"),
    path("<int:pk>/", views.staff_detail, name="staff_detail"),
    path("<int:pk>/reset-password/", views.staff_reset_password, name="staff_reset_password"),
    path("<int:pk>/switch-off/", views.staff_switch_off, name="staff_switch_off"),
    path("<int:pk>/switch-on/", views.staff_switch_on, name="staff_switch_on"),
    path("<int:pk>/households/<int:project>/", views.staff_households, name="staff_households"),
]
