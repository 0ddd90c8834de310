from django.urls import path

from guanjia.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.home, name="home"),
    path("monthly/", views.monthly, name="monthly"),
    path("monthly/analysis/", views.monthly_submit, name="monthly_submit"),
    path("daily/", views.daily, name="daily"),
]
