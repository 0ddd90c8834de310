from django.urls import path

from guanjia.policy import views

app_name = "policy"
urlpatterns = [
    path("", views.settings_page, name="settings"),
]
