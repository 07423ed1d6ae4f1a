"""Pages under /account/: two-factor enrolment and codes, password reset (included once from hub/urls.py)."""

from django.urls import path

from accounts.two_factor import web

urlpatterns = [
    path("two-factor/", web.enrol, name="two-factor-enrol"),
    path("two-factor/verify/", web.verify, name="two-factor-verify"),
    path("two-factor/recovery-codes/", web.recovery_codes, name="two-factor-recovery-codes"),
    path("password-reset/", web.password_reset, name="password-reset"),
    path("password-reset/sent/", web.password_reset_done, name="password-reset-done"),
    path("reset/<uidb64>/<token>/", web.password_reset_confirm, name="password-reset-confirm"),
    path("reset/done/", web.password_reset_complete, name="password-reset-complete"),
]
