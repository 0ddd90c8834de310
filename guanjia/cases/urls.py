"""The case core has no pages of its own: complaints and repairs show its deadlines and timeline."""

from django.urls import URLPattern

app_name = "cases"
urlpatterns: list[URLPattern] = []
