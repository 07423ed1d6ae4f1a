"""The web form's as-you-type check of observed identifiers: the country chooser and the country applied.

An observed value's canonical form depends on a country (its prefix, else the chosen or the organisation's
one), as its verified twin's does, so the form offers the country chooser for it and the check says whose
rules were applied.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from sharing.reports.services.identifier_check import COUNTRY_TYPES, identifier_verdict
from tests.factories import web_login

OBSERVED_TYPES = [
    "observed_national_id",
    "observed_business_licence",
    "observed_phone",
    "observed_bank_account",
]


def _verdict(identifier_type: str, value: str, country: str = "", default_country: str = "FR"):
    with translation.override("en"):
        return identifier_verdict(
            identifier_type=identifier_type, value=value, country=country, default_country=default_country
        )


@pytest.mark.parametrize(
    ("identifier_type", "value", "country", "applied", "normalised"),
    [
        # The chosen country is applied, and named in the verdict.
        ("observed_national_id", "110105194912310021", "CN", "CN", "CN:110105194912310021"),
        ("observed_business_licence", "12-3456789", "US", "US", "US:123456789"),
        ("observed_phone", "0612 3456", "CN", "CN", "+866123456"),
        ("observed_bank_account", "12345678", "DE", "DE", "DE:12345678"),
        # Without a choice, the organisation's country.
        ("observed_phone", "06 12 34 56", "", "FR", "+3306123456"),
        ("observed_national_id", "ABC12345", "", "FR", "FR:ABC12345"),
        # A prefix or the number itself names the country, whatever was chosen.
        ("observed_national_id", "CN 110105194912310021", "GB", "CN", "CN:110105194912310021"),
        ("observed_business_licence", "DE136695977", "CN", "DE", "DE:136695977"),
        ("observed_phone", "+44 (0)20 7946 0000", "CN", "GB", "+442079460000"),
        ("observed_bank_account", "DE89 3704 0044 0532 0130 00", "CN", "DE", "IBAN:DE89370400440532013000"),
    ],
)
def test_the_check_of_an_observed_value_reports_the_country_applied(
    identifier_type, value, country, applied, normalised
):
    verdict = _verdict(identifier_type, value, country)

    assert verdict.valid, verdict.message
    assert verdict.normalised == normalised
    assert verdict.country == applied
    assert f"({applied})" in verdict.message


def test_a_card_number_is_checked_under_no_countrys_rules():
    verdict = _verdict("observed_bank_account", "CARD:12345678", "CN")

    assert verdict.valid
    assert (verdict.country, verdict.normalised) == ("", "CARD:12345678")


def test_a_refused_observed_value_names_the_country_it_was_checked_in():
    verdict = _verdict("observed_bank_account", "12#45678", "DE")

    assert not verdict.valid
    assert verdict.country == "DE"
    assert "Germany (DE)" in verdict.message


def test_every_observed_type_offers_the_country_chooser():
    assert set(OBSERVED_TYPES) <= set(COUNTRY_TYPES)


@pytest.mark.django_db
def test_the_report_page_lists_the_observed_types_among_those_with_a_country(brand_reporter):
    client = Client()
    web_login(client, brand_reporter)

    page = client.get(reverse("report-new")).content.decode()

    listed = re.search(r'data-country-types="([^"]*)"', page)
    assert listed is not None
    assert set(OBSERVED_TYPES) <= set(listed[1].split())
