from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Organisations, members and audit"

    def ready(self) -> None:
        from accounts import (  # noqa: F401  (register the system checks and the OpenAPI auth extension)
            checks,
            login_audit,  # noqa: F401  (audits failed web logins)
            schema,
        )
