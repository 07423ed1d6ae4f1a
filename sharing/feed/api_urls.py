"""The TAXII 2.1 feed's URL map (mounted at /taxii2/ by hub/urls.py)."""

from django.urls import path

from sharing.feed import api

urlpatterns = [
    path("", api.TaxiiDiscoveryApi.as_view(), name="taxii-discovery"),
    path("hub/", api.TaxiiApiRootApi.as_view(), name="taxii-api-root"),
    path("hub/collections/", api.TaxiiCollectionsApi.as_view(), name="taxii-collections"),
    path("hub/collections/<str:collection_id>/", api.TaxiiCollectionApi.as_view(), name="taxii-collection"),
    path("hub/collections/<str:collection_id>/objects/", api.TaxiiObjectsApi.as_view(), name="taxii-objects"),
    path(
        "hub/collections/<str:collection_id>/objects/<str:object_id>/",
        api.TaxiiObjectApi.as_view(),
        name="taxii-object",
    ),
    path(
        "hub/collections/<str:collection_id>/objects/<str:object_id>/versions/",
        api.TaxiiObjectVersionsApi.as_view(),
        name="taxii-object-versions",
    ),
    path(
        "hub/collections/<str:collection_id>/manifest/",
        api.TaxiiManifestApi.as_view(),
        name="taxii-manifest",
    ),
]
