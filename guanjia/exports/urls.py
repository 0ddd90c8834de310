from django.urls import path

from guanjia.exports import views

app_name = "exports"

urlpatterns = [
    path("", views.home, name="home"),
    path("start", views.start, name="start"),
    path("jobs/<int:pk>", views.job, name="job"),
    path("jobs/<int:pk>/file", views.job_file, name="job_file"),
    path("keep-month", views.keep_month, name="keep_month"),
    path("retention", views.retention, name="retention"),
    path("reviews", views.reviews, name="reviews"),
]
