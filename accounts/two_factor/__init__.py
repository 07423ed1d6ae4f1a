"""Two-factor sign-in (django-otp TOTP with single-use recovery codes), password reset by email,
session expiry, and the sign-in audit trail."""
