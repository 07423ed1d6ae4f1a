from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Organisations, members and audit"

    def ready(self) -> None:
        from accounts import login_audit  # noqa: F401  (audits failed web logins)
        from accounts import checks, schema  # noqa: F401  (register the system checks and the OpenAPI auth extension)
