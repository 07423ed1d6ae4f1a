"""Serve the embedded default with its scheduled work: the in-process beat beside runserver."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from hub.scheduler import beat_thread_start


class Command(BaseCommand):
    help = (
        "Serve the hub (runserver, no reloader) and run the beat schedule of hub/celery.py in-process: "
        "expiries, lapses, retention, checkpoints and the sweepers. For the embedded default, which has "
        "no broker and so no celery beat; with a broker, run `celery beat` and workers instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options):
        if settings.CELERY_BROKER_URL:
            self.stderr.write(
                "A broker is configured: scheduled work belongs to `celery beat`; not starting the "
                "in-process scheduler."
            )
        else:
            beat_thread_start()
            self.stdout.write("Running the beat schedule in-process (hub/scheduler.py).")
        call_command("runserver", addrport, use_reloader=False)
