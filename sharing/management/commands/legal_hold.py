"""Place, release or list legal holds: an operator admin keeps records from the retention purge."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.actors import Actor
from accounts.models import Member
from hub.errors import DomainError
from sharing.models import LegalHold
from sharing.retention.services.holds import legal_hold_place, legal_hold_release


class _DryRun(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Place a legal hold on a report, a subject (its tokens) or a token, release one, or list the "
        "active ones. Acts as the operator admin named by --officer (a member's public id); audited."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        place = sub.add_parser("place")
        place.add_argument("--officer", required=True, help="the acting operator admin's member id")
        place.add_argument("--reason", required=True)
        target = place.add_mutually_exclusive_group(required=True)
        target.add_argument("--report", help="a report's public id")
        target.add_argument("--subject", help="a subject's public id (its tokens are held)")
        target.add_argument("--token", help="an identifier token, as members see it")
        place.add_argument("--dry-run", action="store_true", help="check everything, hold nothing")
        release = sub.add_parser("release")
        release.add_argument("--officer", required=True)
        release.add_argument("hold", help="the hold's public id")
        release.add_argument("--dry-run", action="store_true", help="check everything, release nothing")
        sub.add_parser("list")

    def handle(self, *args, **options):
        if options["action"] == "list":
            return self._list()
        actor = self._actor(options["officer"])
        try:
            with transaction.atomic():
                hold = self._act(actor, options)
                if options["dry_run"]:
                    raise _DryRun
        except _DryRun:
            self.stdout.write(f"Would {options['action']} the hold; nothing changed.")
            return
        except DomainError as exc:
            raise CommandError(exc.message) from None
        verb = "Placed" if options["action"] == "place" else "Released"
        self.stdout.write(f"{verb} legal hold {hold.public_id} ({len(hold.tokens)} tokens).")

    def _act(self, actor: Actor, options) -> LegalHold:
        if options["action"] == "place":
            return legal_hold_place(
                actor=actor,
                reason=options["reason"],
                report_id=options["report"],
                subject_id=options["subject"],
                token=options["token"] or "",
            )
        return legal_hold_release(actor=actor, hold_id=options["hold"])

    def _actor(self, officer: str) -> Actor:
        try:
            return Actor(member=Member.objects.select_related("organisation").get(public_id=officer))
        except (Member.DoesNotExist, ValueError, DomainError):
            raise CommandError("--officer names no member") from None

    def _list(self) -> None:
        active = LegalHold.objects.filter(released_at__isnull=True).order_by("placed_at")
        for hold in active:
            what = f"report {hold.report_ref}" if hold.report_ref else f"{len(hold.tokens)} tokens"
            self.stdout.write(f"{hold.public_id} {hold.placed_at:%Y-%m-%d} {what}")
        self.stdout.write(f"{active.count()} active legal holds.")
