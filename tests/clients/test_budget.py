"""The budget of a request: every public page counted, batches and emails counted by what they
cost, unknown API keys counted against the address, bodies refused by their declared size and
clients over their limit refused — both before anything reads the body."""

import json
import os
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.test import override_settings

from chinhthong.checks.services import MAX_CHECK_BYTES
from chinhthong.clients import api_keys
from chinhthong.clients.ratelimit import LIMITER
from chinhthong.config.rates import RateError, parse_rate
from tests.processes import CHINHTHONG

LIMITS = {
    "PUBLIC_RATE_LIMIT": "2/m",
    "SNAPSHOT_RATE_LIMIT": "2/m",
    "HEALTH_RATE_LIMIT": "2/m",
    "BACKOFFICE_RATE_LIMIT": "2/m",
    "LOGIN_RATE_LIMIT": "2/m",
    "WEBHOOK_RATE_LIMIT": "2/m",
}


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/"),
        ("get", "/danh-ba/"),
        ("get", "/danh-ba/kenh/web-cong-thong-tin-cong-chuc/"),
        ("get", "/danh-ba/co-quan/so-tttt-quang-ninh/"),
        ("get", "/kiem-tra/"),
        ("get", "/kiem-tra/?q=quangninh-gov.vn"),
        ("get", "/phan-anh/"),
        ("get", "/ban-tin/"),
        ("get", "/ban-tin/khong-co/"),
        ("get", "/ban-tin/rss.xml"),
        ("get", "/ban-tin/atom.xml"),
        ("get", "/ban-tin/cap.xml"),
        ("get", "/ban-tin/kiem-tra/"),
        ("post", "/ban-tin/kiem-tra/"),
        ("get", "/favicon.ico"),
        ("get", "/cong-chuc/manifest.webmanifest"),
        ("get", "/cong-chuc/sw.js"),
        ("post", "/cong-chuc/thong-bao/bat/"),
        ("post", "/cong-chuc/thong-bao/tat/"),
        ("post", "/zalo/webhook/"),
        ("get", "/api/docs"),
        ("get", "/api/v1/openapi.json"),
        ("get", "/api/v1/channels"),
        ("get", "/api/v1/agencies/who"),
        ("get", "/api/v1/report-recipients"),
        ("get", "/api/v1/reach/units/QN"),
        ("get", "/cong-chuc/don-vi/"),
        ("get", "/cong-chuc/don-vi/QN/"),
        ("get", "/cong-chuc/don-vi/QN/xuat/can-bo-cham.xlsx"),
        ("post", "/cong-chuc/don-vi/QN/xac-nhan-ung-dung/1/"),
        ("post", "/api/v1/check"),
        ("get", "/registry.json"),
        ("get", "/registry.json.sig"),
        ("get", "/registry.pub"),
        ("get", "/healthz"),
        ("get", "/dang-nhap/"),
        ("post", "/dang-nhap/"),
        ("post", "/i18n/setlang/"),
        ("get", "/quan-tri/login/"),
        ("get", "/quan-tri/"),
    ],
)
def test_every_public_address_is_rate_limited(client, default_registry, method, url):
    with override_settings(**LIMITS):
        answers = [getattr(client, method)(url) for _ in range(3)]
    assert [a.status_code for a in answers[:2]] != [429, 429]
    refused = answers[2]
    assert refused.status_code == 429, url
    assert 1 <= int(refused["Retry-After"]) <= 60


@pytest.mark.parametrize("method", ["get", "post"])
def test_addresses_no_view_answers_are_counted_too(client, db, method):
    """The finding: 400 GETs of /nonexistent-N and 200 POSTs of 60 KB to /xx from one address
    were all answered 404; none was refused."""
    with override_settings(PUBLIC_RATE_LIMIT="3/m"):
        statuses = [getattr(client, method)(f"/khong-co-{n}/").status_code for n in range(5)]
        api = client.get("/api/v1/khong-co")
    assert statuses[:3] == [404, 404, 404]
    assert statuses[3:] == [429, 429]
    assert api.status_code == 429 and "detail" in api.json()


def test_requests_for_a_host_this_site_does_not_answer_to_are_counted(client, db):
    """The finding: 81,116 requests with made-up Host headers in 30 s from one address, each
    answered 400 and none counted, each writing a traceback to the log."""
    with override_settings(PUBLIC_RATE_LIMIT="3/m", ALLOWED_HOSTS=["thongtin.example.vn"]):
        statuses = [client.get("/", HTTP_HOST=f"evil{n}.example").status_code for n in range(5)]
    assert statuses == [400, 400, 400, 429, 429]


def test_a_page_that_is_not_found_by_its_view_is_counted_once(client, default_registry):
    with override_settings(PUBLIC_RATE_LIMIT="3/m"):
        statuses = [client.get("/danh-ba/kenh/khong-co/").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]


@pytest.mark.parametrize("url", ["/dang-nhap/", "/quan-tri/login/"])
def test_log_in_attempts_have_a_limit_of_their_own(client, db, url):
    """Each attempt hashes a password: 40 addresses posting random names at the public limit
    kept /healthz waiting seconds. Pages stay within the public limit meanwhile."""
    with override_settings(LOGIN_RATE_LIMIT="3/m", PUBLIC_RATE_LIMIT="100/m"):
        tries = [
            client.post(url, {"username": f"u{n}", "password": "sai"}).status_code for n in range(4)
        ]
        page = client.get("/danh-ba/")
    # The back office's log-in page sends to the one log-in page (302), in the same group.
    answered = 200 if url == "/dang-nhap/" else 302
    assert tries == [answered, answered, answered, 429]
    assert page.status_code == 200


def test_a_batch_counts_one_request_per_input(client, db, limiter_clock):
    with override_settings(PUBLIC_RATE_LIMIT="5/m"):
        body = json.dumps({"inputs": ["a.vn", "b.vn", "c.vn", "d.vn", "e.vn"]})
        first = client.post("/api/v1/check", body, content_type="application/json")
        assert first.status_code == 200 and len(first.json()["results"]) == 5
        after = client.post("/api/v1/check", {"input": "f.vn"}, content_type="application/json")
    assert after.status_code == 429
    assert after["Retry-After"] == "18"  # 42.5 s into the minute (limiter_clock)
    assert "Quá nhiều yêu cầu" in after.json()["detail"]


def test_a_batch_larger_than_what_is_left_is_refused_whole(client, db, limiter_clock):
    with override_settings(PUBLIC_RATE_LIMIT="10/m"):
        body = json.dumps({"inputs": [f"h{i}.example.vn" for i in range(20)]})
        refused = client.post("/api/v1/check", body, content_type="application/json")
    assert refused.status_code == 429 and refused["Retry-After"] == "18"


def test_an_email_counts_by_its_size(client, db):
    raw = b"From: a@example.com\r\nTo: b@example.com\r\nSubject: x\r\n\r\n" + b"x" * 1_100_000
    with override_settings(PUBLIC_RATE_LIMIT="4/m"):
        refused = client.post("/api/v1/check/email", raw, content_type="message/rfc822")
    assert refused.status_code == 429  # 1.1 MB counts as 5 checks (one per 256 KB, and one)


def test_unknown_api_keys_count_against_the_address(client, db):
    with override_settings(PUBLIC_RATE_LIMIT="2/m"):
        answers = [
            client.get("/api/v1/channels", HTTP_X_API_KEY=f"ct_doan-bua-{n}").status_code
            for n in range(3)
        ]
        plain = client.get("/api/v1/channels").status_code
    assert answers == [401, 401, 429] and plain == 429


def test_a_valid_key_has_its_own_limit(client, db):
    _gateway, key = api_keys.create("cong-thu", rate="3/m")
    with override_settings(PUBLIC_RATE_LIMIT="1/m"):
        keyed = [client.get("/api/v1/channels", HTTP_X_API_KEY=key).status_code for _ in range(4)]
        plain = [client.get("/api/v1/channels").status_code for _ in range(2)]
    assert keyed == [200, 200, 200, 429] and plain == [200, 429]


def test_a_body_over_the_size_a_view_takes_is_refused_unread(client, db):
    """Django's test input raises if anything reads past the bytes really sent: a 413 here
    means no one tried to read the 300 MB the request announced."""
    answer = client.post(
        "/api/v1/check",
        b'{"input": "a.vn"}',
        content_type="application/json",
        CONTENT_LENGTH=str(300 * 2**20),
    )
    assert answer.status_code == 413
    assert answer.json()["detail"] == (
        f"Nội dung yêu cầu lớn hơn {MAX_CHECK_BYTES // 2**20} MB, mức tối đa địa chỉ này nhận."
    )
    page = client.post(
        "/kiem-tra/",
        b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(300 * 2**20),
    )
    assert page.status_code == 413
    login = client.post(
        "/dang-nhap/",
        b"username=a",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(2**20),
    )
    assert login.status_code == 413


def test_a_client_over_its_limit_is_refused_before_its_body_is_read(client, db):
    with override_settings(PUBLIC_RATE_LIMIT="1/m"):
        client.get("/kiem-tra/")
        refused = client.post(
            "/kiem-tra/",
            b"--x\r\n",
            content_type="multipart/form-data; boundary=x",
            CONTENT_LENGTH=str(9 * 2**20),
        )
    assert refused.status_code == 429


def test_a_content_length_that_is_no_number_is_a_400(client, db):
    answer = client.post(
        "/api/v1/check", b"{}", content_type="application/json", CONTENT_LENGTH="-5"
    )
    assert answer.status_code == 400


# --- one rate grammar, checked when the program starts ------------------------------------------
@pytest.mark.parametrize(
    ("rate", "parsed"),
    [("120/m", (120, 60)), ("5/10s", (5, 10)), ("1000/h", (1000, 3600)), ("2/d", (2, 86400))],
)
def test_rates_are_read_in_one_grammar(rate, parsed):
    assert parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["120", "120/x", "0/m", "5/0s", "/m", "12 0/m", "120/mm", ""])
def test_anything_else_is_not_a_rate(rate):
    with pytest.raises(RateError):
        parse_rate(rate)


@pytest.mark.parametrize("rate", ["120/x", "120"])
def test_a_wrong_rate_setting_stops_the_program_naming_the_variable(rate, tmp_path):
    env = {
        **os.environ,
        "CHINHTHONG_VAR_DIR": str(tmp_path),
        "CHINHTHONG_PUBLIC_RATE_LIMIT": rate,
        "DJANGO_SETTINGS_MODULE": "chinhthong.config.settings",
    }
    done = subprocess.run(
        [*CHINHTHONG, "check", "quangninh.gov.vn"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2
    assert "CHINHTHONG_PUBLIC_RATE_LIMIT" in done.stderr and repr(rate) in done.stderr
    assert "Traceback" not in done.stderr
    served = subprocess.run(
        [sys.executable, "-c", "import chinhthong.config.asgi"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert served.returncode != 0 and "CHINHTHONG_PUBLIC_RATE_LIMIT" in served.stderr


def test_every_back_office_address_counts_in_the_back_office_group():
    """The finding: 92 of the back office's 99 addresses were counted as public pages (120 a
    minute, not 600): the admin wraps its model views again, and the mark was lost."""
    from django.contrib import admin
    from django.urls import URLResolver

    def views(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from views(pattern.url_patterns)
            else:
                yield pattern

    groups = {
        p.name or str(p.pattern): p.callback.rate_limit_group for p in views(admin.site.urls[0])
    }
    assert len(groups) > 50
    assert groups.pop("login") == "login"
    assert set(groups.values()) == {"backoffice"}


def test_an_editor_works_within_the_back_office_limit_not_the_public_one(client, editor):
    client.force_login(editor)
    with override_settings(PUBLIC_RATE_LIMIT="2/m", BACKOFFICE_RATE_LIMIT="4/m"):
        statuses = [client.get("/quan-tri/registry/channel/").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]


def _nested_message(levels: int, lines: int) -> bytes:
    parts = b"".join(
        b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (n, n)
        for n in range(levels)
    )
    return b"From: x@evil.example\r\nSubject: t\r\n" + parts + b"\r\n" + b"x\r\n" * lines


def test_an_email_that_costs_much_work_counts_for_it(client, db):
    """The finding: a message of 99 nested parts over 50,000 lines (just within the parser's
    bounds) counted as one check but cost some 0.3 s of a core, a hundred times an ordinary
    email; from one address within its limit, such messages made everyone's email wait
    seconds. Beyond its first 50 ms of work it pays for it."""
    heavy = _nested_message(99, 50_000)
    assert len(heavy) < 256 * 1024  # one check by its size
    ordinary = b"From: x@evil.example\r\nSubject: t\r\n\r\nXin chao\r\n"
    check = {"input": "quangninh-gov.vn"}

    def email(raw):
        return client.post("/api/v1/check/email", raw, content_type="message/rfc822")

    def single():
        return client.post("/api/v1/check", check, content_type="application/json")

    with override_settings(PUBLIC_RATE_LIMIT="2/m"):
        assert email(ordinary).status_code == 200
        assert single().status_code == 200  # an ordinary email leaves room for one more
        LIMITER.reset()
        cache.clear()
        answered = email(heavy)
        assert answered.status_code == 200, answered.content[:300]
        assert answered.json()["verdict"] == "suspicious"  # the work done is answered
        after = single()
    assert after.status_code == 429
