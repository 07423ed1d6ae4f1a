"""A URL configuration for tests only: a view that fails while holding the hub's secrets."""

from django.conf import settings
from django.urls import path

from hub.keys import key_encryption_keys
from hub.urls import handler400, handler403, handler404, handler500  # noqa: F401
from hub.urls import urlpatterns as hub_urlpatterns


def _derive(seed_hex: str, keks) -> None:
    raise ValueError(f"cannot derive a key from {seed_hex} with {keks}")


def failing_view(request):
    seed = settings.HUB_OPRF_SEED
    storage_keys = settings.HUB_TOKEN_STORAGE_KEYS
    signing = bytes.fromhex(settings.HUB_SIGNING_KEY)
    database_url = settings.DATABASE_URL
    _derive(seed, key_encryption_keys())
    return storage_keys, signing, database_url


urlpatterns = [path("fail/", failing_view), *hub_urlpatterns]
