from django.urls import path

from guanjia.estates.roster import views

app_name = "roster"
urlpatterns = [
    path("", views.import_roster, name="import"),
    path("template.xlsx", views.template, name="template"),
    path("reports/<str:token>.xlsx", views.error_report, name="report"),
]
