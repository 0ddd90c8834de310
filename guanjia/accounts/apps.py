from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "guanjia.accounts"
    label = "accounts"
