"""A URL configuration for tests only: the hub's routes plus an API view that crashes outside DRF's handling."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from hub.urls import handler400, handler403, handler404, handler500  # noqa: F401
from hub.urls import urlpatterns as hub_urlpatterns


def crashing_api_view(request):
    raise RuntimeError("an unexpected failure")


def forbidding_api_view(request):
    raise PermissionDenied


urlpatterns = [
    path("api/v1/crash", crashing_api_view),
    path("api/v1/forbidden", forbidding_api_view),
    *hub_urlpatterns,
]
