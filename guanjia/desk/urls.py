from django.urls import path

from guanjia.desk import views

app_name = "desk"
urlpatterns = [
    path("", views.home, name="home"),
    path("switch-project/", views.switch_project, name="switch_project"),
    path("first-run/", views.first_run_page, name="first_run"),
]
