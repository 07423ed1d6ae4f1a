"""Personas shared by the suite: who acts in a test is named for what they do."""
from __future__ import annotations

import pytest

from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from tests.factories import client_for, persona


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create hundreds of users; a slow hasher would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def platform_analyst(db):
    return persona(K.PLATFORM, R.ANALYST)


@pytest.fixture
def courier_analyst(db):
    return persona(K.LOGISTICS, R.ANALYST)


@pytest.fixture
def brand_reporter(db):
    return persona(K.RIGHTS_OWNER, R.REPORTER, country="FR")


@pytest.fixture
def other_brand_reporter(db):
    return persona(K.RIGHTS_OWNER, R.REPORTER, country="DE")


@pytest.fixture
def reviewer(db):
    return persona(K.OPERATOR, R.REVIEWER, country="GB")


@pytest.fixture
def operator_admin(db):
    return persona(K.OPERATOR, R.ADMIN, country="GB")


@pytest.fixture
def auditor(db):
    return persona(K.AUDITOR, R.ANALYST, country="GB")


@pytest.fixture
def outsider(db):
    """A verified rights owner with no relation to anyone else's objects."""
    return persona(K.RIGHTS_OWNER, R.REPORTER, country="US")


@pytest.fixture
def api():
    """api(member) → an APIClient authenticated with a fresh key of that member."""
    return client_for
