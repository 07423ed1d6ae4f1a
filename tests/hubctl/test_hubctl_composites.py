"""hubctl and composite identifiers: TYPE.FIELD=VALUE arguments and CSV columns, the same
token as the hub's own, and a tokens-only report and check that send no composite value."""

from __future__ import annotations

import json

import pytest

from hubctl.client import HubClient
from hubctl.errors import IdentifierError
from hubctl.inputs import InputError, read_csv, seller_from_pairs
from tests.hubctl.test_hubctl import direct_token, fake_hub, hubctl, live_members, sent, write  # noqa: F401 (fixtures)

PERSON = {"full_name": "张伟", "date_of_birth": "1985-03-02"}
ADDRESS = {"street_address": "88 Nanjing Road", "postcode": "200001", "country": "CN"}


def test_field_arguments_join_into_one_composite_identifier():
    seller = seller_from_pairs(
        ["person.full_name=张伟", "phone=+86 138 0013 8000", "Person.Date_Of_Birth=1985-03-02"]
    )

    assert seller.identifiers == [("person", PERSON, None), ("phone", "+86 138 0013 8000", None)]
    assert seller.labels == ["identifier argument 1", "identifier argument 2"]


@pytest.mark.parametrize(
    "arguments",
    [
        ["person.full_name=张伟", "person.full_name=张三"],
        ["person=张伟;1985-03-02"],
        ["person.nickname=张伟"],
    ],
)
def test_a_composite_field_must_be_named_once_and_exist(arguments):
    with pytest.raises(InputError) as raised:
        seller_from_pairs(arguments)

    assert "张" not in str(raised.value)


def test_wide_and_long_csv_files_take_composite_fields(tmp_path):
    wide = write(
        tmp_path,
        "wide.csv",
        "ref,person.full_name,person.date_of_birth,phone\na,张伟,1985-03-02,\nb,,,13800138000\n",
    )
    long = write(tmp_path, "long.csv", "type,value\nperson.full_name,张伟\nperson.date_of_birth,1985-03-02\n")

    assert [s.identifiers for s in read_csv(wide).sellers] == [
        [("person", PERSON, None)],
        [("phone", "13800138000", None)],
    ]
    assert read_csv(long).sellers[0].identifiers == [("person", PERSON, None)]


def test_oblivious_composite_tokens_equal_the_hubs_direct_evaluation(fake_hub):
    client = HubClient("http://hub.test", "k")

    tokens = client.tokenise(
        [("person", {"full_name": "张 伟", "date_of_birth": "1985/3/2"}), ("registered_address", ADDRESS)]
    )

    assert [t["token"] for t in tokens] == [
        direct_token("person", PERSON),
        direct_token("registered_address", ADDRESS),
    ]
    assert ["/api/v1/tokens/evaluate"] == [path for path in fake_hub.paths() if "tokens" in path]


def test_a_bad_composite_field_is_named_by_the_client_without_its_value(fake_hub):
    with pytest.raises(IdentifierError) as raised:
        HubClient("http://hub.test", "k").tokenise(
            [("person", {"full_name": "张伟", "date_of_birth": "1985-02-30"})]
        )

    assert "person.date_of_birth" in str(raised.value) and "张伟" not in str(raised.value)
    assert fake_hub.paths() == []


@pytest.mark.django_db(transaction=True)
def test_tokens_only_composite_report_then_check_matches_and_sends_no_value(live_members, sent, capsys):
    from accounts.actors import Actor
    from sharing.models import Report
    from sharing.reports.services.reports import report_accept

    url, fields = live_members["url"], ["person.full_name=张伟", "person.date_of_birth=1985-03-02"]
    report = hubctl(
        capsys,
        url,
        live_members["reporter_key"],
        "report",
        "--guarantee-authentic",
        *fields,
        "phone=+86 139 1234 5678",
        "--ip-type",
        "trademark",
        "--category",
        "counterfeit",
        "--verification-level",
        "rights_owner_verified",
        "--statement",
        "Test purchase 43: fakes.",
    )
    report_accept(
        report=Report.objects.get(public_id=report["id"]),
        reason="evidence checked",
        actor=Actor(member=live_members["reviewer"]),
    )
    oblivious = hubctl(
        capsys,
        url,
        live_members["analyst_key"],
        "check",
        "--purpose",
        "seller_onboarding",
        "person.full_name=张 伟",
        "person.date_of_birth=1985年3月2日",
    )
    raw = hubctl(
        capsys, url, live_members["analyst_key"], "check", "--purpose", "seller_onboarding", "--raw", *fields
    )

    assert report["identifier_count"] == 2
    assert oblivious["matched_types"] == raw["matched_types"] == ["person"]
    assert oblivious["level"] == raw["level"]
    tokens_only = [r.body for r in sent[:-1]]  # the last request is the --raw check
    # The date's forms, not a bare "1985": random hex (a blinded element) holds that one in ~500 runs.
    value_forms = ("1985-03-02", "1985年", "\\u5e74", "\\u5f20", "张")
    assert tokens_only and not [body for body in tokens_only if any(form in body for form in value_forms)]
    assert json.loads(sent[-1].body)["identifiers"][0]["value"] == PERSON
