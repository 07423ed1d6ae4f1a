"""Check that every restricted-class audit event rests on an approved, in-scope, valid order."""
from django.core.management.base import BaseCommand, CommandError

from accounts.audit.models import AuditEvent, DataClass
from sharing.services.restricted_access import restricted_access_violations


class Command(BaseCommand):
    help = "Exit non-zero, naming the events, if any restricted access lacks an approved, in-scope, unexpired court order."

    def handle(self, *args, **options):
        violations = restricted_access_violations()
        for v in violations:
            self.stderr.write(f"audit event #{v.event_id} ({v.action}): {v.reason}")
        checked = AuditEvent.objects.filter(data_class=DataClass.RESTRICTED).count()
        if violations:
            raise CommandError(f"{len(violations)} of {checked} restricted-class events break the invariant.")
        self.stdout.write(f"All {checked} restricted-class audit events rest on approved, in-scope, valid court orders.")
