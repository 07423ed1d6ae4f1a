"""Print the records of processing (JSON), generated from this deployment's code and settings."""

import json

from django.core.management.base import BaseCommand

from sharing.retention.selectors import records_of_processing


class Command(BaseCommand):
    help = (
        "Print the records of processing (GDPR Art. 30, PIPL Art. 54-55) as JSON: activities, records "
        "and their fields, purposes, retention periods from settings, recipients from the role matrix."
    )

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(records_of_processing(), ensure_ascii=False, indent=2))
