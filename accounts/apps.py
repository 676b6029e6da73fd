from django.apps import AppConfig


class AccountsConfig(AppConfig):
    # No models, so the admin never shows the app's name.
    name = "accounts"
