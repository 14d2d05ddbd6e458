"""The OpenAPI document says what the API really answers. Schemathesis, with every check it
has (statuses, content types, headers, response bodies against their schemas, schema-valid
requests accepted and schema-invalid ones refused, methods, authentication), generates
requests from the document against a real server — `chinhthong serve`, started here on
loopback — and finds nothing.

The server's public rate limit is raised for the run, so that no answer depends on a limit
tripping; the seed is fixed, so a failure is reproduced by running the test again.
"""

import json
import os
import subprocess
import sys
import urllib.request

import pytest

from tests import processes

SEED = "20261205"
MAX_EXAMPLES = "25"  # per operation and phase: about two minutes on a loaded two-core machine
RUN_TIMEOUT = 900  # seconds: the run stops itself long before; this only ends a hung one


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("contract")
    limits = {
        "CHINHTHONG_PUBLIC_RATE_LIMIT": "1000000/m",
        "CHINHTHONG_REPORT_RATE_LIMIT": "1000000/m",
    }
    with processes.app_environment(tmp / "var", **limits) as env:
        assert processes.run(env, "setup").returncode == 0
        made = processes.run(env, "apikey", "create", "contract-test", "--rate", "100000/m")
        assert made.returncode == 0, made.stderr
        key = made.stdout.strip()
        port = processes.free_port()
        serve = ["serve", "--port", str(port), "--workers", "1", "--no-task-worker"]
        with processes.started(env, *serve, log=tmp / "serve.log") as child:
            base = f"http://127.0.0.1:{port}"
            processes.wait_for_http(f"{base}/healthz", process=child)
            yield base, key, tmp


def _document(base: str) -> dict:
    with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=60) as answer:
        return json.load(answer)


def _operations(document: dict) -> list[tuple[str, str, dict]]:
    return [
        (method.upper(), path, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    ]


def _config_with_a_report(base: str, tmp) -> str:
    """A schemathesis.toml that reads an existing report's status (a code nothing has answers
    404, which Schemathesis takes as missing test data): one made through the API."""
    body = json.dumps({"claim": "Tin đồn để kiểm thử hợp đồng API", "links": []}).encode()
    request = urllib.request.Request(
        f"{base}/api/v1/reports", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        code = json.load(answer)["tracking_code"]
    config = tmp / "schemathesis.toml"
    # A report's link must be a web address as people paste them (with or without a scheme,
    # any path and query): a rule JSON Schema does not state, so a body the schema allows may
    # get the documented 400, and most generated links do.
    config.write_text(
        "[[operations]]\n"
        'include-path = "/api/v1/reports/{tracking_code}"\n'
        f'parameters = {{ "path.tracking_code" = "{code}" }}\n'
        "[[operations]]\n"
        'include-path = "/api/v1/reports"\n'
        'include-method = "POST"\n'
        "checks.positive_data_acceptance.expected-statuses = "
        '["2xx", "400", "401", "403", "404", "409", "429", "5xx"]\n'
        'warnings = ["missing_auth", "missing_test_data", "base_url_mismatch", '
        '"missing_deserializer", "unsupported_regex", "method_not_allowed", "rate_limited"]\n'
    )
    return str(config)


def test_schemathesis_with_all_checks_finds_nothing(server):
    base, _key, tmp = server
    report = tmp / "schemathesis.json"
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        _config_with_a_report(base, tmp),
        "run",
        f"{base}/api/v1/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        MAX_EXAMPLES,
        "--seed",
        SEED,
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.checks.openapi_hooks"}
    run = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False
    )
    output = run.stdout[-20_000:] + run.stderr[-5_000:]
    assert run.returncode == 0, output
    found = json.loads(report.read_text())
    assert found["complete"] and found["failures"] == [] and found["errors"] == [], output
    # Every operation the document has was tested, in every phase that generates requests.
    operations = len(_operations(_document(base)))
    assert found["operations"] == {
        "total": operations,
        "selected": operations,
        "tested": operations,
        "errored": 0,
        "skipped": 0,
        "skip_reasons": [],
    }
    for phase in ("coverage", "fuzzing", "stateful"):
        assert found["phases"][phase]["status"] == "success", (phase, output)
    assert found["test_cases"]["generated"] > 40 * operations
    # Nothing Schemathesis could not use: a pattern it cannot read, a body it cannot send.
    assert {name: seen for name, seen in found["warnings"].items() if seen} == {}, output


def test_every_operation_documents_the_key_scheme_and_answers_as_documented(server):
    """The optional X-API-Key scheme; an unknown key is refused with the documented 401
    before any operation runs, a valid one is served under the key's own limit."""
    base, key, _tmp = server
    document = _document(base)
    assert document["components"]["securitySchemes"]["ApiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": document["components"]["securitySchemes"]["ApiKey"]["description"],
    }
    for method, path, operation in _operations(document):
        assert operation["security"] == [{}, {"ApiKey": []}], path
        assert {"401", "429"} <= operation["responses"].keys(), path
        concrete = path.replace("{code}", "so-tttt-quang-ninh").replace(
            "{slug}", "web-cong-thong-tin-cong-chuc"
        )
        data = b'{"input": "quangninh.gov.vn"}' if method == "POST" else None
        headers = {"X-API-Key": "ct_khong-phai-khoa", "Content-Type": "application/json"}
        status, answer_headers, body = processes.fetch(base + concrete, headers, data)
        assert status == 401, (path, body)
        assert answer_headers["Content-Type"].startswith("application/json")
        assert json.loads(body).keys() == {"detail"}
    status, _headers, body = processes.fetch(
        f"{base}/api/v1/agencies/so-tttt-quang-ninh", {"X-API-Key": key}
    )
    assert status == 200 and json.loads(body)["code"] == "so-tttt-quang-ninh"
