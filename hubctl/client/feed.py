"""The hub's TAXII 2.1 feed (read-only): a collection per audience, e.g. listings or the sellers you reported."""

from __future__ import annotations

from dataclasses import dataclass

from hubctl.client.base import ClientBase
from hubctl.client.transport import exchange_response, json_answer

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
API_ROOT = "/taxii2/hub/"


@dataclass(frozen=True)
class FeedPage:
    """One page of a collection's objects, and where it ends (the next poll's `added_after`)."""

    objects: list[dict]
    more: bool
    next: str | None
    date_added_last: str | None


class FeedCalls(ClientBase):
    def _taxii(self, path: str, params: dict[str, str | int]) -> tuple[dict, dict[str, str]]:
        request = self._http.build_request(
            "GET",
            self.base_url + path,
            params=params,
            headers={"Authorization": f"Bearer {self._api_key}", "Accept": TAXII_MEDIA_TYPE},
        )
        response = self._retried(lambda: exchange_response(self._http, request, self.timeout, self.base_url))
        return json_answer(response.status_code, response.content, "GET", path), dict(response.headers)

    def feed_collections(self) -> list[dict]:
        """The TAXII collections this member may read."""
        return self._taxii(f"{API_ROOT}collections/", {})[0].get("collections", [])

    def feed_subscribe(self, collection_id: str, *, purpose: str) -> dict:
        """Subscribe your organisation to a collection for a purpose (the hub serves its objects only then)."""
        return self._call(
            "POST", "/api/v1/feed-subscriptions", {"collection": collection_id, "purpose": purpose}
        )

    def feed_objects_page(
        self, collection_id: str, *, added_after: str | None, next_page: str | None, limit: int
    ) -> FeedPage:
        """Every version added after `added_after` (all versions, in the order added), one page."""
        params: dict[str, str | int] = {"limit": limit, "match[version]": "all"}
        if added_after:
            params["added_after"] = added_after
        if next_page:
            params["next"] = next_page
        envelope, headers = self._taxii(f"{API_ROOT}collections/{collection_id}/objects/", params)
        return FeedPage(
            objects=list(envelope.get("objects", [])),
            more=bool(envelope.get("more")),
            next=envelope.get("next"),
            date_added_last=headers.get("x-taxii-date-added-last"),
        )
