"""The hub's one outbox (accounts/mail): queued with the transaction, sent after commit by a task,
retried by the sweep with backoff while SMTP is down, given up with an operator alert, sent once.
Addresses and bodies never reach logs, task arguments or alerts."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.actors import Actor
from accounts.audit.models import Alert
from accounts.invitations.models import Invitation
from accounts.invitations.services import invitation_create
from accounts.mail.models import OutboundMail
from accounts.mail.services import mail_queue, mail_send, mail_sweep
from accounts.roles import OrganisationKind, Role
from hub import tasks_enqueue
from hub.celery import app
from tests.factories import client_for, persona
from tests.smtp_server import links_in

pytestmark = pytest.mark.django_db

ADDRESS = "outbox.person@example.com"
CLOSED_PORT = 9  # nothing listens on discard: the connection is refused at once


@pytest.fixture(autouse=True)
def tasks_registered():
    """Celery imports the tasks modules on the first send by name, and that re-applies the logging
    configuration (dropping caplog's handler): done before the test, caplog sees the whole test."""
    app.loader.import_default_modules()


@pytest.fixture
def smtp_down(smtp, settings):
    """The SMTP server of the `smtp` fixture, unreachable until `smtp_down.restore()`."""
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = CLOSED_PORT

    class Switch:
        mailbox = smtp

        @staticmethod
        def restore() -> None:
            settings.EMAIL_PORT = port

    return Switch


@pytest.fixture
def sent_tasks(monkeypatch):
    """Every (task name, arguments) the hub sends, still run as it would be (eagerly here)."""
    calls: list[tuple[str, tuple]] = []
    real_send = tasks_enqueue._send

    def recording(task, args):
        calls.append((task.name, args))
        real_send(task, args)

    monkeypatch.setattr(tasks_enqueue, "_send", recording)
    return calls


def _invite(admin, email: str = ADDRESS):
    return client_for(admin).post("/api/v1/invitations", {"email": email, "role": "analyst"}, format="json")


def test_smtp_down_the_invitation_still_answers_201_and_the_sweep_sends_it_when_smtp_is_back(
    smtp_down, django_capture_on_commit_callbacks, caplog, sent_tasks
):
    caplog.set_level(logging.DEBUG)
    admin = persona(OrganisationKind.PLATFORM, Role.ADMIN)

    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(admin)
    invitation = Invitation.objects.get(public_id=response.json()["id"])
    mail = OutboundMail.objects.get(about_type="invitation", about_id=str(invitation.public_id))
    queued = (mail.sent_at, mail.attempts, mail.last_error_kind, "/invitations/accept/" in mail.body)
    mail_sweep()  # the first wait is not over: no second try yet
    early_attempts = OutboundMail.objects.get(pk=mail.pk).attempts
    smtp_down.restore()
    mail_sweep(now=timezone.now() + timedelta(hours=1))

    assert response.status_code == 201, response.content
    assert queued == (None, 1, "ConnectionRefusedError", True)
    assert early_attempts == 1
    [message] = smtp_down.mailbox.wait_for(ADDRESS)
    [link] = links_in(message)
    mail.refresh_from_db()
    assert mail.sent_at is not None and mail.attempts == 2 and mail.body == "" and mail.last_error_kind == ""
    assert "not sent" in caplog.text  # the failure was logged ...
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert ADDRESS not in caplog.text and token not in caplog.text  # ... without the address or the link
    assert sent_tasks and all(isinstance(arg, int) for _, args in sent_tasks for arg in args)
    assert not any(ADDRESS in repr(args) or token in repr(args) for _, args in sent_tasks)


def test_a_rolled_back_invitation_sends_nothing(smtp, django_capture_on_commit_callbacks):
    admin = persona(OrganisationKind.PLATFORM, Role.ADMIN)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            invitation_create(email=ADDRESS, role="analyst", actor=Actor(member=admin))
            raise RuntimeError("the request failed after the invitation")
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(email="other@example.com", role="analyst", actor=Actor(member=admin))

    smtp.wait_for("other@example.com")  # the committed one left, so the rolled-back one had its chance
    assert smtp.to(ADDRESS) == [] and not OutboundMail.objects.filter(to=ADDRESS).exists()


def test_sending_twice_sends_once(smtp):
    mail = mail_queue(to=ADDRESS, subject="Once", body="Only once, please.")

    first, second = mail_send(mail.pk), mail_send(mail.pk)

    assert (first, second) == (True, False)
    smtp.wait_for(ADDRESS)
    assert len(smtp.to(ADDRESS)) == 1
    mail.refresh_from_db()
    assert mail.attempts == 1 and mail.body == ""


def test_the_sweep_backs_off_and_gives_up_with_an_alert_naming_no_address(
    smtp_down, settings, caplog, monkeypatch
):
    settings.HUB_MAIL_RETRY_BASE_SECONDS, settings.HUB_MAIL_MAX_ATTEMPTS = 60, 3
    caplog.set_level(logging.DEBUG)
    mail = mail_queue(to=ADDRESS, subject="Doomed", body="secret-link-body")  # not sent: no commit in a test
    start, tries = mail.created_at, []

    for seconds in (30, 61, 100, 122, 240, 243, 400, 500):
        # the clock of the sweep and of the sends it starts (each send records when it tried)
        monkeypatch.setattr(timezone, "now", lambda seconds=seconds: start + timedelta(seconds=seconds))
        mail_sweep()
        tries.append(OutboundMail.objects.get(pk=mail.pk).attempts)
    mail.refresh_from_db()

    # the first try after the grace (60 s), the next 60 s after it, the third 120 s after that; then given up
    assert tries == [0, 1, 1, 2, 2, 3, 3, 3]
    assert mail.sent_at is None and mail.gave_up_at is not None and mail.body == ""
    [alert] = Alert.objects.filter(kind="mail_undeliverable")
    assert alert.occurrences == 1 and alert.details["mail"] == mail.pk
    assert ADDRESS not in str(alert.details) and ADDRESS not in caplog.text
    assert "secret-link-body" not in caplog.text
    assert smtp_down.mailbox.to(ADDRESS) == []


def test_a_given_up_mail_is_not_sent_even_when_its_task_arrives_late(smtp_down, settings):
    settings.HUB_MAIL_MAX_ATTEMPTS = 1
    mail = mail_queue(to=ADDRESS, subject="Late", body="late")
    mail_send(mail.pk)
    mail_sweep(now=timezone.now() + timedelta(days=1))
    smtp_down.restore()

    assert mail_send(mail.pk) is False
    assert smtp_down.mailbox.to(ADDRESS) == []


def test_the_sweep_runs_every_minute_on_the_beat_schedule():
    entries = [e for e in app.conf.beat_schedule.values() if e["task"] == "accounts.tasks.mail_sweep_task"]
    assert entries and entries[0]["schedule"] == 60.0


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_applicant_mail_into_the_outbox():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("accounts", "0009_invitations")], [("accounts", "0010_outbound_mail")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    organisation = old.get_model("accounts", "Organisation").objects.create(name="Mig Co", kind="platform")
    application = old.get_model("accounts", "OrganisationApplication").objects.create(
        legal_name="Mig Co",
        kind="platform",
        country="CN",
        registration_number="1",
        contact_name="Li",
        contact_email=ADDRESS,
        terms_version="2026-11",
        terms_accepted_at=timezone.now(),
        organisation=organisation,
    )
    sent_at = timezone.now()
    ApplicantMail = old.get_model("accounts", "ApplicantMail")
    ApplicantMail.objects.create(application=application, subject="[Hub] Sent", body="", sent_at=sent_at)
    ApplicantMail.objects.create(application=application, subject="[Hub] Queued", body="a link")

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    moved = list(new.get_model("accounts", "OutboundMail").objects.order_by("pk").values())
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert [(m["to"], m["subject"], m["body"], m["sent_at"] is not None, m["attempts"]) for m in moved] == [
        (ADDRESS, "[Hub] Sent", "", True, 1),
        (ADDRESS, "[Hub] Queued", "a link", False, 0),
    ]
    assert {(m["about_type"], m["about_id"]) for m in moved} == {
        ("organisationapplication", str(application.public_id))
    }


def test_a_subject_with_a_line_break_is_sent_on_one_line(smtp):
    mail = mail_queue(to=ADDRESS, subject="Invitation to join Evil\nBcc: x@example.com", body="hello")

    assert mail_send(mail.pk) is True
    [message] = smtp.wait_for(ADDRESS)
    assert message["Subject"] == "Invitation to join Evil Bcc: x@example.com" and message["Bcc"] is None
