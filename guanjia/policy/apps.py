from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "guanjia.policy"
    label = "policy"
