from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "guanjia.timeline"
    label = "timeline"
