from django.urls import path

from guanjia.followup import views

app_name = "followup"
urlpatterns = [
    path("", views.home, name="home"),
    path("archive/<int:customer_pk>/", views.archive, name="archive"),
    path("plans/apply/", views.plan_apply, name="plan_apply"),
    path("plans/templates/", views.templates, name="templates"),
    path("calls/<int:pk>/", views.call, name="call"),
    path("issues/<int:pk>/", views.issue, name="issue"),
    path("reassign/", views.reassign, name="reassign"),
    path("leads/", views.leads, name="leads"),
    path("leads/<int:pk>/", views.lead, name="lead"),
    path("activities/", views.activities, name="activities"),
    path("activities/<int:pk>/", views.activity, name="activity"),
    path("surveys/", views.surveys, name="surveys"),
    path("surveys/<int:pk>/", views.survey, name="survey"),
    path("phone/<slug:kind>/<int:pk>/", views.phone, name="phone"),
    path("s/<str:token>/", views.survey_answer, name="survey_answer"),
]
