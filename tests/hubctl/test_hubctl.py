"""hubctl: argument and CSV parsing, local validation, the oblivious crypto contract, the HTTP layer,
and end to end against the real hub, proving that tokens-only mode never sends a raw value."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from hubcore import oprf
from hubcore.identifiers import normalise
from hubcore.tokens import token_input
from hubctl.cli import main
from hubctl.client import HubClient
from hubctl.errors import HubError, IdentifierError
from hubctl.inputs import InputError, read_csv, seller_from_pairs

SECRET = oprf.derive_key_pair(bytes(range(32)), b"hubctl test key").secret
PHONE = "+86 139 1234 5678"
EMAIL = "Oblivious.Seller@Example.com"
SHOP = "https://shop778899.taobao.com/?spm=a1z10"


class FakeHub:
    """Answers HubClient._send in-process: the hub's OPRF evaluation under SECRET, canned answers otherwise."""

    def __init__(self, country: str = "CN", key_version: int = 1):
        self.country = country
        self.key_version = key_version
        self.rotate_keys = False
        self.calls: list[tuple[str, str, dict | None]] = []

    def answer(self, method: str, path: str, body: dict | None) -> dict:
        self.calls.append((method, path, json.loads(json.dumps(body))))
        if path == "/api/v1/organisation":
            return {"country": self.country, "kind": "platform"}
        if path == "/api/v1/tokens/evaluate":
            self.key_version += self.rotate_keys
            evaluated = [
                oprf.blind_evaluate(SECRET, bytes.fromhex(e)).hex() for e in body["blinded_elements"]
            ]
            return {"evaluated_elements": evaluated, "key_version": self.key_version}
        if path == "/api/v1/checks":
            return {"check_id": "c1", "level": "none", "risk": 0, "matched_types": []}
        if path == "/api/v1/checks/batch":
            return {
                "results": [
                    {"check_id": f"c{n}", "level": "none", "risk": 0, "matched_types": [], "reference": None}
                    for n, _ in enumerate(body["sellers"])
                ]
            }
        return {"id": "00000000-0000-0000-0000-000000000001", "status": "pending", "identifier_types": []}

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.calls]


@pytest.fixture
def fake_hub(monkeypatch) -> FakeHub:
    hub = FakeHub()
    monkeypatch.setattr(HubClient, "_send", lambda client, method, path, body: hub.answer(method, path, body))
    monkeypatch.setenv("HUB_API_KEY", "test-key")
    return hub


@pytest.fixture
def no_network(monkeypatch):
    """Fail the test if hubctl tries to send anything."""

    def refuse(self, method, path, body):
        raise AssertionError(f"unexpected request {method} {path}")

    monkeypatch.setattr(HubClient, "_send", refuse)
    monkeypatch.setenv("HUB_API_KEY", "test-key")


def direct_token(identifier_type: str, value: str, country: str | None = None) -> str:
    """The token the hub computes directly from a raw value (server-side Evaluate)."""
    canonical = normalise(identifier_type, value, default_country=country)
    return oprf.evaluate(SECRET, token_input(identifier_type=canonical.type, canonical=canonical.value)).hex()


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# -- TYPE=VALUE and CSV parsing -------------------------------------------------------------


def test_type_value_arguments_keep_everything_after_the_first_equals_sign():
    seller = seller_from_pairs(["phone=+86 138 0013 8000", " Email =a=b@example.com"])

    assert seller.identifiers == [("phone", "+86 138 0013 8000", None), ("email", "a=b@example.com", None)]
    assert seller.labels == ["identifier argument 1", "identifier argument 2"]


@pytest.mark.parametrize("argument", ["+8613800138000", "=+8613800138000", "13800138000=phone"])
def test_malformed_arguments_are_refused_without_echoing_them(argument):
    with pytest.raises(InputError) as raised:
        seller_from_pairs(["email=a@example.com", argument])

    assert "identifier argument 2" in str(raised.value)
    assert "13800138000" not in str(raised.value)


def test_long_csv_is_one_seller_with_optional_country(tmp_path):
    path = write(
        tmp_path, "one.csv", "\ufefftype,value,country\nphone,138 0013 8000,CN\n\nemail,s@example.com,\n"
    )

    given = read_csv(path)

    assert not given.wide and len(given.sellers) == 1
    assert given.sellers[0].identifiers == [
        ("phone", "138 0013 8000", "CN"),
        ("email", "s@example.com", None),
    ]
    assert given.sellers[0].labels == [f"{path} line 2", f"{path} line 4"]


def test_wide_csv_is_one_seller_per_row_and_skips_empty_cells(tmp_path):
    path = write(
        tmp_path,
        "many.csv",
        "ref,phone,email,store_url\nA-1,+8613800138000,a@example.com,\n"
        '"B,2",,b@example.com,https://shop1.taobao.com/\n',
    )

    given = read_csv(path)

    assert given.wide
    assert [s.ref for s in given.sellers] == ["A-1", "B,2"]
    assert [s.identifiers for s in given.sellers] == [
        [("phone", "+8613800138000", None), ("email", "a@example.com", None)],
        [("email", "b@example.com", None), ("store_url", "https://shop1.taobao.com/", None)],
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ref,phone,13800138000\nA,+8613800138000,x\n", "column 3 is neither"),
        ("ref,phone\nA,+8613800138000,13800138000\n", "line 2: more cells"),
        ("ref,phone\nA,\n", "line 2: the row has no identifiers"),
        ("phone,email\n+8613800138000,a@example.com\n", "the header must have"),
        ("type,value\n13800138000,+8613800138000\n", "line 2: unknown identifier type"),
        ("", "the file is empty"),
    ],
)
def test_bad_csv_files_are_refused_naming_place_not_content(tmp_path, text, expected):
    path = write(tmp_path, "bad.csv", text)

    with pytest.raises(InputError) as raised:
        read_csv(path)

    assert expected in str(raised.value)
    assert "13800138000" not in str(raised.value)


# -- command line: usage, local validation, output -----------------------------------------


@pytest.mark.parametrize("command", [[], ["tokenise"], ["check"], ["report"], ["report-status"]])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exited:
        main([*command, "--help"])

    assert exited.value.code == 0
    assert "usage: hubctl" in capsys.readouterr().out


def test_invalid_identifier_exits_2_naming_the_argument_but_not_the_value(no_network, capsys):
    status = main(
        [
            "--country",
            "CN",
            "check",
            "--purpose",
            "seller_onboarding",
            "email=ok@example.com",
            "phone=+86 999 8765",
        ]
    )

    error = capsys.readouterr().err
    assert status == 2
    assert "identifier argument 2 (phone)" in error and "Not a valid phone number" in error
    assert "8765" not in error


def test_invalid_cell_of_a_csv_exits_2_naming_file_line_and_column(no_network, tmp_path, capsys):
    path = write(tmp_path, "rows.csv", "ref,email,national_id\nA,a@example.com,\nB,,CN:110105194912310021\n")

    status = main(["--country", "CN", "check", "--purpose", "seller_onboarding", "--csv", path])

    error = capsys.readouterr().err
    assert status == 2
    assert f"{path} line 3 column 3 (national_id)" in error
    assert "110105" not in error and "310021" not in error


# What a report needs besides its identifiers and the guarantee.
REPORT_FLAGS = [
    "--ip-type",
    "trademark",
    "--category",
    "counterfeit",
    "--verification-level",
    "self_declared",
    "--statement",
    "x",
]


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--purpose", "seller_onboarding"],
        ["check", "--purpose", "seller_onboarding", "phone"],
        ["check", "--purpose", "seller_onboarding", "colour=blue"],
        ["check", "--purpose", "seller_onboarding", "--csv", "/nonexistent/file.csv"],
        ["check", "--purpose", "seller_onboarding", "phone=+8613800138000", "--csv", "x.csv"],
        ["report-status", "not-a-uuid"],
        [
            "report",
            "--guarantee-authentic",
            "phone=+8613800138000",
            *REPORT_FLAGS,
            "--evidence",
            "/nonexistent/order.pdf",
        ],
    ],
)
def test_usage_errors_exit_2_before_any_request(no_network, argv, capsys):
    status = main(argv)

    assert status == 2
    assert capsys.readouterr().err.startswith("hubctl: error:")


@pytest.mark.parametrize(
    "argv",
    [["check", "phone=+8613800138000"], ["watch", "--ref", "s-1", "phone=+8613800138000"], ["bulk", "s.csv"]],
)
def test_every_screening_command_requires_a_purpose(no_network, argv, capsys):
    with pytest.raises(SystemExit) as exited:
        main(argv)

    assert exited.value.code == 2
    assert "--purpose" in capsys.readouterr().err


def test_missing_api_key_exits_2(monkeypatch, capsys):
    monkeypatch.delenv("HUB_API_KEY", raising=False)

    status = main(["check", "--purpose", "seller_onboarding", "phone=+8613800138000"])

    assert status == 2
    assert "HUB_API_KEY" in capsys.readouterr().err


def test_argparse_usage_errors_exit_2():
    with pytest.raises(SystemExit) as exited:
        main(["--country", "China", "check", "--purpose", "seller_onboarding", "phone=+8613800138000"])

    assert exited.value.code == 2


def test_tokenise_prints_csv_lines_of_oblivious_tokens(fake_hub, capsys):
    status = main(["tokenise", f"phone={PHONE}", f"email={EMAIL}"])

    lines = capsys.readouterr().out.splitlines()
    assert status == 0
    assert lines == [
        '"type","token","key_version"',
        f'"phone","{direct_token("phone", PHONE)}","1"',
        f'"email","{direct_token("email", EMAIL)}","1"',
    ]


def test_wide_csv_check_batches_the_evaluation_and_prints_one_line_per_row(fake_hub, tmp_path, capsys):
    path = write(tmp_path, "rows.csv", "ref,phone,email\nA,+8613800138000,a@example.com\nB,,b@example.com\n")

    status = main(["check", "--purpose", "seller_onboarding", "--csv", path])

    assert status == 0
    assert capsys.readouterr().out.splitlines() == [
        '"ref","level","risk","matched_types"',
        '"A","none","0",""',
        '"B","none","0",""',
    ]
    assert fake_hub.paths() == [
        "/api/v1/organisation",
        "/api/v1/tokens/evaluate",
        "/api/v1/checks",
        "/api/v1/checks",
    ]
    assert [len(body["identifiers"]) for _, path, body in fake_hub.calls if path == "/api/v1/checks"] == [
        2,
        1,
    ]


@pytest.mark.parametrize("raw", [False, True])
def test_wide_csv_check_with_batch_sends_batches_of_at_most_n_sellers_in_order(
    fake_hub, tmp_path, capsys, raw
):
    rows = "".join(f"R{n},+86138001380{n:02d}\n" for n in range(5))
    path = write(tmp_path, "rows.csv", "ref,phone\n" + rows)

    status = main(
        [
            "check",
            "--purpose",
            "seller_onboarding",
            "--csv",
            path,
            "--batch",
            "2",
            *(["--raw"] if raw else []),
        ]
    )

    assert status == 0
    assert capsys.readouterr().out.splitlines()[1:] == [f'"R{n}","none","0",""' for n in range(5)]
    batches = [body for _, path, body in fake_hub.calls if path == "/api/v1/checks/batch"]
    assert [len(body["sellers"]) for body in batches] == [2, 2, 1]
    assert "/api/v1/checks" not in fake_hub.paths()
    sent = [seller for body in batches for seller in body["sellers"]]
    assert all(set(seller) == {"identifiers"} for seller in sent)  # the refs stay with the member
    key = "value" if raw else "token"
    assert all(key in seller["identifiers"][0] for seller in sent)


def test_a_batch_also_stays_under_the_hubs_identifiers_per_batch(fake_hub, tmp_path, capsys, monkeypatch):
    from hubctl.commands import sellers

    monkeypatch.setattr(sellers, "BATCH_IDENTIFIERS", 4)
    rows = "".join(f"R{n},+86138001380{n:02d},s{n}@example.com\n" for n in range(5))
    path = write(tmp_path, "rows.csv", "ref,phone,email\n" + rows)

    status = main(["check", "--purpose", "seller_onboarding", "--csv", path, "--batch", "3"])

    assert status == 0
    assert capsys.readouterr().out.splitlines()[1:] == [f'"R{n}","none","0",""' for n in range(5)]
    batches = [body for _, path, body in fake_hub.calls if path == "/api/v1/checks/batch"]
    assert [len(body["sellers"]) for body in batches] == [2, 2, 1]


def test_the_identifiers_per_batch_are_the_hubs_default():
    from hubctl.commands import sellers

    assert sellers.BATCH_IDENTIFIERS == 1000


@pytest.mark.parametrize("size", ["0", "-1", "many"])
def test_a_batch_size_that_is_not_a_positive_number_is_a_usage_error(no_network, size, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["check", "--purpose", "seller_onboarding", "--csv", "x.csv", "--batch", size])

    assert exited.value.code == 2


def test_report_sends_tokens_statement_and_evidence(fake_hub, tmp_path, capsys):
    statement = write(tmp_path, "statement.txt", "Test purchase 42: counterfeit handbags.")
    evidence = tmp_path / "order.pdf"
    evidence.write_bytes(b"%PDF-1.4 order 42")

    status = main(
        [
            "--country",
            "FR",
            "report",
            "--guarantee-authentic",
            f"phone={PHONE}",
            "--ip-type",
            "trademark",
            "--category",
            "counterfeit",
            "--verification-level",
            "rights_owner_verified",
            "--statement-file",
            statement,
            "--evidence",
            str(evidence),
        ]
    )

    body = fake_hub.calls[-1][2]
    assert status == 0 and "report 00000000-0000-0000-0000-000000000001: pending" in capsys.readouterr().out
    assert body["identifiers"] == [{"type": "phone", "token": direct_token("phone", PHONE), "key_version": 1}]
    assert body["statement"] == "Test purchase 42: counterfeit handbags."
    assert body["evidence"] == [
        {"name": "order.pdf", "content_type": "application/pdf", "content_base64": "JVBERi0xLjQgb3JkZXIgNDI="}
    ]


def test_hub_errors_exit_1_with_the_hubs_message_and_fields(monkeypatch, capsys):
    def refuse(self, method, path, body):
        raise HubError(
            400,
            "invalid",
            "Some identifiers are invalid.",
            {"identifiers": {"0": {"token": ["Token key version 1 is not current."]}}},
            None,
            "req-1",
        )

    monkeypatch.setattr(HubClient, "_send", refuse)

    status = main(
        [
            "--api-key",
            "k",
            "check",
            "--purpose",
            "seller_onboarding",
            "--raw",
            "email=a@example.com",
            "--country",
            "GB",
        ]
    )

    error = capsys.readouterr().err
    assert status == 1
    assert "HTTP 400 invalid: Some identifiers are invalid." in error
    assert "identifiers.0.token: Token key version 1 is not current." in error and "req-1" in error


# -- the client: the oblivious crypto contract ----------------------------------------------


def test_oblivious_tokens_equal_the_hubs_direct_evaluation(fake_hub):
    client = HubClient("http://hub.test", "k")

    tokens = client.tokenise([("phone", PHONE), ("email", EMAIL), ("store_url", SHOP)], default_country="CN")

    assert tokens == [
        {"type": "phone", "token": direct_token("phone", PHONE), "key_version": 1},
        {"type": "email", "token": direct_token("email", EMAIL), "key_version": 1},
        {"type": "store_url", "token": direct_token("store_url", SHOP), "key_version": 1},
    ]
    assert all(len(t["token"]) == 128 for t in tokens)


def test_without_a_country_the_organisations_is_used_as_the_hub_would(fake_hub):
    client = HubClient("http://hub.test", "k")

    national, international = client.tokenise([("phone", "139 1234 5678"), ("phone", PHONE)])
    client.tokenise([("phone", PHONE)])

    assert national["token"] == international["token"] == direct_token("phone", PHONE)
    assert fake_hub.paths().count("/api/v1/organisation") == 1  # asked once, then remembered


def test_the_hub_sees_only_blinded_elements(fake_hub):
    client = HubClient("http://hub.test", "k")

    client.check([("phone", PHONE), ("email", EMAIL)], purpose="seller_onboarding", default_country="CN")

    sent = json.dumps([body for _, _, body in fake_hub.calls])
    assert [path for path in fake_hub.paths()] == ["/api/v1/tokens/evaluate", "/api/v1/checks"]
    assert "value" not in sent
    for needle in ["1234 5678", "13912345678", "12345678", "oblivious.seller", "Oblivious.Seller"]:
        assert needle not in sent


def test_blinding_is_fresh_each_time(fake_hub):
    client = HubClient("http://hub.test", "k")

    first = client.tokenise([("email", EMAIL)], default_country="CN")
    second = client.tokenise([("email", EMAIL)], default_country="CN")

    blinded = [body["blinded_elements"] for _, _, body in fake_hub.calls]
    assert first == second
    assert blinded[0] != blinded[1]


def test_evaluate_sends_batches_of_at_most_the_hubs_limit(fake_hub, monkeypatch):
    monkeypatch.setattr(HubClient, "EVALUATE_BATCH", 2)
    client = HubClient("http://hub.test", "k")
    blinded = [oprf.blind(f"input {i}".encode())[1] for i in range(5)]

    evaluated, version = client.evaluate(blinded)

    assert HubClient.EVALUATE_BATCH == 2 and version == 1
    assert [len(body["blinded_elements"]) for _, _, body in fake_hub.calls] == [2, 2, 1]
    assert evaluated == [oprf.blind_evaluate(SECRET, element) for element in blinded]


def test_the_hubs_batch_limit_is_a_thousand():
    assert HubClient.EVALUATE_BATCH == 1000


def test_a_key_rotation_between_batches_is_an_error(fake_hub, monkeypatch):
    monkeypatch.setattr(HubClient, "EVALUATE_BATCH", 1)
    fake_hub.rotate_keys = True

    with pytest.raises(HubError, match="token key changed"):
        HubClient("http://hub.test", "k").tokenise([("email", EMAIL), ("phone", PHONE)], default_country="CN")


@pytest.mark.parametrize(
    "answer",
    [
        {"evaluated_elements": [], "key_version": 1},
        {"evaluated_elements": ["zz" * 32], "key_version": 1},
        {"evaluated_elements": ["00" * 32], "key_version": 1},
        {"evaluated_elements": ["00" * 32], "key_version": "1"},
    ],
)
def test_unusable_evaluate_answers_are_hub_errors(monkeypatch, answer):
    monkeypatch.setattr(HubClient, "_send", lambda self, method, path, body: answer)

    with pytest.raises(HubError) as raised:
        HubClient("http://hub.test", "k").tokenise([("email", EMAIL)], default_country="CN")

    assert raised.value.code == "bad_response"


def test_local_validation_names_index_and_type_never_the_value(no_network):
    client = HubClient("http://hub.test", "k")

    with pytest.raises(IdentifierError) as raised:
        client.tokenise([("email", EMAIL), ("national_id", "CN:110105194912310021")], default_country="CN")

    assert (raised.value.index, raised.value.type) == (1, "national_id")
    assert str(raised.value).startswith("identifiers[1] (national_id): ")
    assert "110105" not in str(raised.value)


def test_raw_mode_sends_values_and_explicit_countries(fake_hub):
    client = HubClient("http://hub.test", "k")

    client.check([("phone", "139 1234 5678", "cn"), ("email", EMAIL)], purpose="seller_onboarding", raw=True)

    assert fake_hub.calls[-1][2] == {
        "identifiers": [
            {"type": "phone", "value": "139 1234 5678", "country": "CN"},
            {"type": "email", "value": EMAIL},
        ],
        "purpose": "seller_onboarding",
    }


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://hub.test", "hub.test:8000"])
def test_only_http_hubs_are_accepted(url):
    with pytest.raises(ValueError):
        HubClient(url, "k")


def test_the_key_is_not_in_the_clients_repr():
    assert "secret-key" not in repr(HubClient("http://hub.test", "secret-key"))


# -- the client's HTTP layer against a real (stdlib) HTTP server ----------------------------


@dataclass
class Canned:
    status: int
    body: bytes
    headers: dict


class CannedHandler(http.server.BaseHTTPRequestHandler):
    """Serves the next canned answer and remembers what it received."""

    answers: list[Canned] = []
    received: list[dict] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.received.append(
            {
                "method": self.command,
                "path": self.path,
                "headers": dict(self.headers),
                "body": self.rfile.read(length),
            }
        )
        canned = self.answers.pop(0)
        self.send_response(canned.status)
        for name, value in canned.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(canned.body)))
        self.end_headers()
        self.wfile.write(canned.body)

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def http_hub():
    """A local HTTP server with a queue of canned answers; yields (base URL, handler class)."""
    handler = type("Handler", (CannedHandler,), {"answers": [], "received": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def json_answer(status: int, body: object, **headers) -> Canned:
    return Canned(status, json.dumps(body).encode(), {"Content-Type": "application/json", **headers})


def test_send_posts_json_with_the_bearer_key(http_hub):
    url, handler = http_hub
    handler.answers.append(json_answer(200, {"level": "none"}))

    answer = HubClient(url + "/", "key-1")._send(
        "POST", "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": []}
    )

    received = handler.received[0]
    assert answer == {"level": "none"}
    assert (received["method"], received["path"]) == ("POST", "/api/v1/checks")
    assert received["headers"]["Authorization"] == "Bearer key-1"
    assert received["headers"]["Content-Type"] == "application/json"
    assert json.loads(received["body"]) == {"purpose": "seller_onboarding", "identifiers": []}


def test_hub_error_bodies_become_hub_errors(http_hub):
    url, handler = http_hub
    handler.answers.append(
        json_answer(
            400,
            {
                "error": {
                    "code": "invalid",
                    "message": "The request has invalid fields.",
                    "fields": {"identifiers": {"0": {"value": ["Bad."]}}},
                },
                "request_id": "abc123",
            },
        )
    )

    with pytest.raises(HubError) as raised:
        HubClient(url, "k")._send("POST", "/api/v1/checks", {})

    error = raised.value
    assert (error.status, error.code, error.request_id) == (400, "invalid", "abc123")
    assert error.field_messages() == ["identifiers.0.value: Bad."]
    assert (
        str(error)
        == "HTTP 400 invalid: The request has invalid fields.; identifiers.0.value: Bad.; request id abc123"
    )


def test_non_json_errors_and_unreachable_hubs_are_hub_errors(http_hub):
    url, handler = http_hub
    handler.answers.append(Canned(404, b"<html>Not Found</html>", {"Content-Type": "text/html"}))

    with pytest.raises(HubError) as not_found:
        HubClient(url, "k")._send("POST", "/api/v1/tokens/evaluate", {})
    with pytest.raises(HubError) as unreachable:
        HubClient("http://127.0.0.1:9", "k", timeout=2)._send("GET", "/api/v1/organisation", None)

    assert (not_found.value.status, not_found.value.code) == (404, "http_error")
    assert "POST /api/v1/tokens/evaluate failed" in str(not_found.value)
    assert (unreachable.value.status, unreachable.value.code) == (None, "connection_failed")


def test_short_rate_limits_are_waited_out(http_hub, monkeypatch):
    url, handler = http_hub
    slept = []
    monkeypatch.setattr("hubctl.client.base.time.sleep", slept.append)
    limited = json_answer(
        429, {"error": {"code": "rate_limited", "message": "Quota exceeded."}}, **{"Retry-After": "3"}
    )
    handler.answers += [limited, json_answer(200, {"country": "GB"})]

    answer = HubClient(url, "k").organisation()

    assert answer == {"country": "GB"} and slept == [3]


def test_rate_limits_beyond_the_retries_are_raised_with_retry_after(http_hub, monkeypatch):
    url, handler = http_hub
    monkeypatch.setattr("hubctl.client.base.time.sleep", lambda seconds: None)
    handler.answers += [
        json_answer(
            429, {"error": {"code": "rate_limited", "message": "Quota exceeded."}}, **{"Retry-After": "5"}
        )
        for _ in range(2)
    ]

    with pytest.raises(HubError) as raised:
        HubClient(url, "k", retries=1).organisation()

    assert (raised.value.status, raised.value.retry_after) == (429, 5)
    assert len(handler.received) == 2


def test_redirects_are_not_followed_so_the_key_goes_nowhere_else(http_hub):
    url, handler = http_hub
    handler.answers.append(Canned(302, b"", {"Location": "http://127.0.0.1:9/steal"}))

    with pytest.raises(HubError) as raised:
        HubClient(url, "k")._send("GET", "/api/v1/organisation", None)

    assert raised.value.status == 302


def test_a_hub_that_never_answers_times_out_as_a_connection_failure():
    # The listening socket accepts (the kernel's backlog) but nobody ever answers.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        started = time.monotonic()
        with pytest.raises(HubError) as raised:
            HubClient(url, "k", timeout=0.5)._send("GET", "/api/v1/organisation", None)

    assert (raised.value.status, raised.value.code) == (None, "connection_failed")
    assert f"Cannot reach the hub at {url}" in str(raised.value)
    assert time.monotonic() - started < 3  # the 0.5 s asked for, not httpx's default of 5 s


# -- end to end against the real hub (Django's live server) --------------------------------


@dataclass(frozen=True)
class SentRequest:
    method: str
    url: str
    headers: dict
    body: str


@pytest.fixture
def sent(monkeypatch) -> list[SentRequest]:
    """Every request hubctl sends, recorded exactly as built, then really sent."""
    requests: list[SentRequest] = []
    real_send = HubClient._send

    def spy(self, method, path, body):
        request = self._build_request(method, path, body)
        requests.append(
            SentRequest(method, str(request.url), dict(request.headers), request.content.decode("utf-8"))
        )
        return real_send(self, method, path, body)

    monkeypatch.setattr(HubClient, "_send", spy)
    return requests


@pytest.fixture
def live_members(live_server, brand_reporter, reviewer, platform_analyst):
    from tests.factories import key_for

    return {
        "url": live_server.url,
        "reporter_key": key_for(brand_reporter),
        "reviewer": reviewer,
        "analyst_key": key_for(platform_analyst),
    }


def hubctl(capsys, url: str, key: str, *argv: str) -> dict | list:
    """Run hubctl with --json against the live hub and return its parsed output."""
    status = main(["--hub", url, "--api-key", key, *argv, "--json"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    return json.loads(captured.out)


def report_and_accept(capsys, members: dict) -> dict:
    """hubctl report (tokens only) as the brand, then the operator's reviewer accepts it."""
    from accounts.actors import Actor
    from sharing.models import Report
    from sharing.reports.services.reports import report_accept

    report = hubctl(
        capsys,
        members["url"],
        members["reporter_key"],
        "report",
        "--guarantee-authentic",
        f"phone={PHONE}",
        f"email={EMAIL}",
        f"store_url={SHOP}",
        "--ip-type",
        "trademark",
        "--category",
        "counterfeit",
        "--verification-level",
        "rights_owner_verified",
        "--statement",
        "Test purchase 42: fakes.",
    )
    report_accept(
        report=Report.objects.get(public_id=report["id"]),
        reason="evidence checked",
        actor=Actor(member=members["reviewer"]),
    )
    return report


def leak_needles() -> list[str]:
    """Raw, canonical and partial spellings of the seller's identifiers."""
    canonical = [
        normalise(kind, value).value
        for kind, value in [("phone", PHONE), ("email", EMAIL), ("store_url", SHOP)]
    ]
    return [
        PHONE,
        EMAIL,
        SHOP,
        *canonical,
        "13912345678",
        "12345678",
        "1234 5678",
        "oblivious.seller",
        "Oblivious.Seller",
        "778899",
        "shop778899",
    ]


@pytest.mark.django_db(transaction=True)
def test_tokens_only_report_then_check_matches_and_sends_no_raw_value(live_members, sent, capsys):
    members = live_members

    report = report_and_accept(capsys, members)
    result = hubctl(
        capsys,
        members["url"],
        members["analyst_key"],
        "check",
        "--purpose",
        "seller_onboarding",
        f"phone={PHONE}",
        f"email={EMAIL}",
        f"store_url={SHOP}",
    )

    assert report["status"] == "pending" and report["identifier_count"] == 3
    assert result["level"] == "reported"
    assert sorted(result["matched_types"]) == ["email", "phone", "store_url"]
    assert [r.url.removeprefix(members["url"]) for r in sent] == [
        "/api/v1/organisation",
        "/api/v1/tokens/evaluate",
        "/api/v1/reports",
        "/api/v1/organisation",
        "/api/v1/tokens/evaluate",
        "/api/v1/checks",
    ]
    for request in sent:
        seen = json.dumps([request.url, request.headers, request.body])
        assert not [needle for needle in leak_needles() if needle in seen or json.dumps(needle)[1:-1] in seen]
        assert '"value"' not in request.body


@pytest.mark.django_db(transaction=True)
def test_raw_and_oblivious_checks_give_the_same_answer(live_members, sent, capsys):
    members = live_members
    report_and_accept(capsys, members)
    identifiers = [f"phone={PHONE}", f"email={EMAIL}", f"store_url={SHOP}"]

    oblivious = hubctl(
        capsys,
        members["url"],
        members["analyst_key"],
        "check",
        "--purpose",
        "seller_onboarding",
        *identifiers,
    )
    raw = hubctl(
        capsys,
        members["url"],
        members["analyst_key"],
        "check",
        "--purpose",
        "seller_onboarding",
        "--raw",
        *identifiers,
    )

    assert raw["level"] == oblivious["level"] == "reported"
    assert (
        sorted(raw["matched_types"]) == sorted(oblivious["matched_types"]) == ["email", "phone", "store_url"]
    )
    assert raw["reporting_organisations"] == oblivious["reporting_organisations"] == 1
    assert '"value"' in sent[-1].body  # the spy sees bodies: the raw check really sent values


@pytest.mark.django_db(transaction=True)
def test_oblivious_tokens_equal_the_hubs_own_tokens(live_members, capsys):
    from sharing.crypto.tokens import token_evaluate

    tokens = hubctl(
        capsys,
        live_members["url"],
        live_members["analyst_key"],
        "tokenise",
        f"phone={PHONE}",
        f"email={EMAIL}",
        f"store_url={SHOP}",
    )

    expected = [
        token_evaluate(identifier_type=kind, canonical=normalise(kind, value).value)
        for kind, value in [("phone", PHONE), ("email", EMAIL), ("store_url", SHOP)]
    ]
    assert [t["token"] for t in tokens] == [token.value for token in expected]
    assert [t["key_version"] for t in tokens] == [token.key_version for token in expected]


@pytest.mark.django_db(transaction=True)
def test_wide_csv_check_and_report_status_against_the_hub(live_members, tmp_path, capsys):
    members = live_members
    report = report_and_accept(capsys, members)
    path = write(tmp_path, "sellers.csv", f"ref,phone,email\nknown,{PHONE},\nunknown,,nobody@example.org\n")

    rows = hubctl(
        capsys,
        members["url"],
        members["analyst_key"],
        "check",
        "--purpose",
        "seller_onboarding",
        "--csv",
        path,
    )
    status = hubctl(capsys, members["url"], members["reporter_key"], "report-status", report["id"])

    assert [(row["ref"], row["level"], row["matched_types"]) for row in rows] == [
        ("known", "reported", ["phone"]),
        ("unknown", "none", []),
    ]
    assert status["status"] == "accepted"


@pytest.mark.django_db(transaction=True)
def test_the_hubs_refusal_exits_1_with_its_message(live_members, capsys):
    status = main(
        [
            "--hub",
            live_members["url"],
            "--api-key",
            "not-a-real-key",
            "check",
            "--purpose",
            "seller_onboarding",
            f"phone={PHONE}",
        ]
    )

    # stderr also holds the live server thread's own log line for the refused request.
    error = capsys.readouterr().err
    hubctl_lines = [line for line in error.splitlines() if line.startswith("hubctl:")]
    assert status == 1
    assert hubctl_lines and hubctl_lines[0].startswith(
        ("hubctl: hub error: HTTP 401", "hubctl: hub error: HTTP 403")
    )
    assert "13912345678" not in error


@pytest.mark.django_db(transaction=True)
def test_watch_puts_a_seller_on_the_watchlist_with_tokens_only(live_members, capsys, sent):
    from accounts.roles import OrganisationKind, Role
    from sharing.models import WatchEntry
    from tests.factories import key_for, persona

    platform_admin = persona(OrganisationKind.PLATFORM, Role.ADMIN)

    answer = hubctl(
        capsys,
        live_members["url"],
        key_for(platform_admin),
        "watch",
        "--purpose",
        "seller_onboarding",
        "--ref",
        "seller-77",
        f"phone={PHONE}",
        f"store_url={SHOP}",
    )

    assert [len(a["entries"]) for a in answer] == [2]
    assert set(WatchEntry.objects.values_list("ref", flat=True)) == {"seller-77"}
    watch_bodies = [r.body for r in sent if r.url.endswith("/api/v1/watchlist")]
    assert watch_bodies and all(
        '"value"' not in body and "12345678" not in body and "778899" not in body for body in watch_bodies
    )


def test_hubctl_report_asks_for_the_guarantee_before_sending_anything(no_network, capsys):
    """Without --guarantee-authentic hubctl stops at its own argument check: no request, the flag named."""
    with pytest.raises(SystemExit) as stopped:  # argparse's own refusal of a missing required flag
        main(["report", "phone=+8613800138000", *REPORT_FLAGS])
    assert stopped.value.code == 2
    assert "--guarantee-authentic" in capsys.readouterr().err
