"""Check that every restricted-class audit event rests on an approved, in-scope, valid order,
and that no such event or disclosure approval was made with a key its member did not create."""

from django.core.management.base import BaseCommand, CommandError

from sharing.disclosure.services.restricted_access import events_checked, restricted_access_violations


class Command(BaseCommand):
    help = (
        "Exit non-zero, naming the events, if any restricted access lacks an approved, in-scope, unexpired court "
        "order, or a restricted access or disclosure approval used an API key its own member did not create."
    )

    def handle(self, *args, **options):
        violations = restricted_access_violations()
        for v in violations:
            self.stderr.write(f"audit event #{v.event_id} ({v.action}): {v.reason}")
        checked = events_checked().count()
        if violations:
            raise CommandError(
                f"{len(violations)} of {checked} restricted-class and approval events break the invariant."
            )
        self.stdout.write(
            f"All {checked} restricted-class and approval events rest on approved, in-scope, valid court "
            "orders and on the actors' own credentials."
        )
