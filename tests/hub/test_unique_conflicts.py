"""A unique constraint met through the API answers 409 with a per-field message, never a 500."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction

from accounts.models import Organisation
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from hub.integrity import _field_of, _model_of, unique_violation_conflict
from sharing.models import WatchEntry
from tests.factories import OrganisationFactory, persona

pytestmark = pytest.mark.django_db


def _unique_column_sets():
    """(model, columns) for every unique field and unconditional unique constraint of the hub's own models."""
    for model in apps.get_models():
        if model._meta.app_label not in ("accounts", "sharing"):
            continue
        for field in model._meta.concrete_fields:
            if field.unique and not field.primary_key:
                yield model, [field.column]
        for constraint in model._meta.constraints:
            if getattr(constraint, "fields", None) and getattr(constraint, "condition", None) is None:
                yield model, [model._meta.get_field(name).column for name in constraint.fields]


def _violation(make) -> IntegrityError:
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        make()
    return raised.value


def test_creating_an_organisation_whose_name_is_taken_answers_409_naming_the_field(api, operator_admin):
    OrganisationFactory(name="Acme Trading Co")
    response = api(operator_admin).post(
        "/api/v1/organisations",
        {"name": "Acme Trading Co", "kind": "platform", "country": "CN"},
        format="json",
    )

    assert response.status_code == 409
    body = response.json()
    assert (
        body["error"]["code"] == "conflict"
        and body["error"]["message"] == "Another organisation already has this name."
    )
    assert body["error"]["fields"] == {"name": ["Already taken: choose another."]}
    assert "Acme" not in response.content.decode()
    assert Organisation.objects.filter(name="Acme Trading Co").count() == 1


def test_a_unique_violation_of_several_columns_names_each_field_and_never_the_value():
    member = persona(K.PLATFORM, R.ANALYST)
    fields = {
        "organisation": member.organisation,
        "token": "1:SECRET-TOKEN-FORM",
        "identifier_type": "phone",
        "ref": "s",
        "created_by": member,
    }
    WatchEntry.objects.create(**fields)
    conflict = unique_violation_conflict(_violation(lambda: WatchEntry.objects.create(**fields)))

    assert conflict is not None and conflict.status_code == 409
    assert conflict.fields == {
        "organisation": ["Already taken: choose another."],
        "token": ["Already taken: choose another."],
    }
    assert "SECRET" not in conflict.message


def test_other_integrity_errors_are_not_taken_for_conflicts():
    assert (
        unique_violation_conflict(IntegrityError("NOT NULL constraint failed: accounts_organisation.name"))
        is None
    )
    assert (
        unique_violation_conflict(ValueError("UNIQUE constraint failed: accounts_organisation.name")) is None
    )


@pytest.mark.parametrize(
    "model, columns", [pytest.param(m, c, id=f"{m.__name__}:{'+'.join(c)}") for m, c in _unique_column_sets()]
)
def test_every_unique_constraint_maps_to_its_model_and_fields(model, columns):
    table = model._meta.db_table
    conflict = unique_violation_conflict(
        IntegrityError(f"UNIQUE constraint failed: {', '.join(f'{table}.{c}' for c in columns)}")
    )

    assert _model_of(table) is model
    assert conflict is not None and set(conflict.fields) == {_field_of(model, c)[0] for c in columns}
    assert conflict.message.startswith(f"Another {model._meta.verbose_name} already has this ")
