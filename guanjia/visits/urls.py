"""Mounted by the project at visits/ (app_name "visits")."""

from django.urls import path

from guanjia.visits import views

app_name = "visits"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("<int:pk>/", views.visit, name="visit"),
    path("<int:pk>/signature.png", views.signature, name="signature"),
    path("review/", views.review, name="review"),
    path("<int:pk>/review/", views.review_decide, name="review_decide"),
    path("quotas/", views.quotas, name="quotas"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/<int:pk>/", views.campaign, name="campaign"),
    path("export/", views.export, name="export"),
]
