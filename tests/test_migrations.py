"""Each app's migrations are one numbered line, the models match them, and databases migrated
under the old (forked-looking) names still count as fully migrated."""

from __future__ import annotations

import re
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

APPS = ("accounts", "sharing")

# The names main carried before the renumbering (two 0005 files); databases out there applied these.
HISTORICAL_SHARING = (
    "0001_initial",
    "0002_alter_identifiertoken_key_version_and_more",
    "0003_disclosure",
    "0004_disclosure_guards",
    "0005_due_process",
    "0005_watchlists",
    "0006_bulk",
    "0007_disclosure_build_attempts",
    "0008_sweep_window_bulk_counts",
    "0009_identifier_types_person_registered_address",
    "0010_watch_entry_last_level",
    "0011_standing_warning_and_report_appeals",
    "0012_dispute_covers_reports_with_a_clock_each",
)
# The renumbered line ends at 0013; a migration added after it is pending for every database.
LAST_RENUMBERED = 13


def _graph():
    return MigrationLoader(None, ignore_no_migrations=True).graph


@pytest.mark.django_db
def test_models_have_no_unmigrated_changes():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:  # --check exits 1 when a migration is missing
        pytest.fail(f"makemigrations --check found changes:\n{out.getvalue()}\n{exit_}")


@pytest.mark.parametrize("app", APPS)
def test_each_app_history_is_one_numbered_line(app):
    graph = _graph()
    names = sorted(name for label, name in graph.nodes if label == app)
    numbers = [int(re.match(r"(\d{4})_", name).group(1)) for name in names]
    assert numbers == list(range(1, len(names) + 1)), f"{app}: numbers not consecutive: {names}"
    for previous, name in zip([None, *names], names):
        parents = {n for label, n in graph.node_map[(app, name)].parents if label == app}
        expected = set() if previous is None else {previous}
        assert parents == expected, f"{app}.{name} has parents {parents} in its app, expected {expected}"
    assert graph.leaf_nodes(app) == [(app, names[-1])]


def _pending_after(sharing_applied):
    """What showmigrations would list unapplied for a database that recorded these sharing names
    (and every other app's migrations)."""
    applied = {("sharing", name): None for name in sharing_applied}
    applied |= {key: None for key in _graph().nodes if key[0] != "sharing"}
    with mock.patch(
        "django.db.migrations.recorder.MigrationRecorder.applied_migrations", return_value=applied
    ):
        loader = MigrationLoader(connection)
    pending = sorted(key for key in loader.graph.nodes if key not in loader.applied_migrations)
    return [key for key in pending if key[0] != "sharing" or int(key[1][:4]) <= LAST_RENUMBERED]


@pytest.mark.django_db
def test_a_database_migrated_under_the_old_names_has_nothing_to_apply():
    assert _pending_after(HISTORICAL_SHARING) == []


@pytest.mark.django_db
def test_a_database_missing_one_old_name_has_its_renumbered_migration_pending():
    """The check above can fail: drop one historical name and its renumbered file is pending."""
    assert _pending_after(set(HISTORICAL_SHARING) - {"0006_bulk"}) == [("sharing", "0007_bulk")]


# The last migrations of the previous release (session 8): an embedded database at that state upgrades.
PREVIOUS_RELEASE = [("accounts", "0010_outbound_mail"), ("sharing", "0025_sales_totals_tokens")]


@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_previous_release_upgrades_and_keeps_its_triggers():
    """SQLite rebuilds a table to change its constraints; triggers on other tables that name it are set
    aside and put back (hub/sqlite_triggers.py), so the upgrade neither fails nor loses a guard."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    def triggers() -> set[str]:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            else:
                cursor.execute("SELECT DISTINCT trigger_name FROM information_schema.triggers")
            return {row[0] for row in cursor.fetchall()}

    before = triggers()
    executor = MigrationExecutor(connection)
    executor.migrate(PREVIOUS_RELEASE)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert triggers() == before
    assert {t for t in before if t.startswith("sharing_disclosure_approval")}
