"""The feed command: mirror one of the hub's TAXII 2.1 collections into a local SQLite file."""

from __future__ import annotations

import argparse

from hubctl.client import HubClient
from hubctl.commands.base import EXIT_OK, add_purpose_argument, client_for, command
from hubctl.feed import Mirror, PullSummary
from hubctl.inputs import InputError

FEED_EPILOG = """\
The hub publishes STIX 2.1 over TAXII 2.1 (read-only), a collection per audience: the listings
(members who may check sellers), "Sellers you reported" (your organisation's own outcomes, for
those who follow its reports) and the operators' view. `pull` mirrors the one you name with
--collection (by default the first the hub offers you) for the --purpose you state (the hub serves a
collection only to a subscription with a purpose your organisation may state), asks only for what was added since the
mirror's cursor, applies each version in the order the hub added it, drops an object once a version
revokes it (a withdrawn, expired or overturned listing), and keeps the cursor in the same file: run
it as often as you like.

exit status: 0 done, 1 the hub refused or could not be reached, 2 bad usage

example:
  hubctl feed pull --purpose listing_review --into listings.sqlite
  hubctl feed pull --purpose enforcement_action --collection a3f5d8e1-6c2b-4f07-9b1e-7d4c2e9a5f36 \
    --into reported.sqlite"""


def add_commands(commands: argparse._SubParsersAction) -> None:
    parser = command(commands, "feed", "Mirror a collection of the hub's STIX/TAXII feed.", FEED_EPILOG)
    feed_commands = parser.add_subparsers(dest="feed_command", metavar="COMMAND", required=True)
    pull = command(
        feed_commands, "pull", "Bring a local SQLite mirror of a collection up to date.", FEED_EPILOG
    )
    pull.add_argument("--into", metavar="FILE", required=True, help="the SQLite file of the mirror")
    pull.add_argument(
        "--collection", metavar="ID", help="the collection's id (default: the first one the hub offers you)"
    )
    pull.add_argument(
        "--page-size", metavar="N", type=int, default=500, help="objects per request (default: 500)"
    )
    add_purpose_argument(pull)
    pull.set_defaults(run=_run_pull)


def _run_pull(args: argparse.Namespace) -> int:
    if args.page_size < 1:
        raise InputError("--page-size must be at least 1.")
    client = client_for(args)
    mirror = Mirror(args.into)
    try:
        summary = feed_pull(
            client, mirror, collection=args.collection, purpose=args.purpose, page_size=args.page_size
        )
        print(summary.line())
    finally:
        mirror.close()
    return EXIT_OK


def feed_pull(
    client: HubClient, mirror: Mirror, *, collection: str | None, purpose: str, page_size: int
) -> PullSummary:
    """Subscribe for the purpose (restating it is harmless), then page through every version added
    since the mirror's cursor, committing page by page."""
    if collection is None:
        offered = client.feed_collections()
        if not offered:
            raise InputError(
                "the hub offers you no feed collection (does your role check sellers or read reports?)."
            )
        collection = str(offered[0]["id"])
    client.feed_subscribe(collection, purpose=purpose)
    cursor, next_page, versions = mirror.cursor_of(collection), None, 0
    while True:
        page = client.feed_objects_page(collection, added_after=cursor, next_page=next_page, limit=page_size)
        # Paging keeps the first request's added_after; the stored cursor moves page by page.
        mirror.apply_page(collection, page.objects, page.date_added_last)
        versions += len(page.objects)
        if not page.more:
            break
        next_page = page.next
    objects, revoked = mirror.counts()
    return PullSummary(collection, versions, objects, revoked, mirror.cursor_of(collection))
