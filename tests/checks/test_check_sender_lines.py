"""POST /api/v1/check with sender inputs an intruder answered official: pasted sender lines
with spaces, a mailto link adding recipients, domains that only fold to the official one."""

import json

import pytest

from chinhthong.checks.engines import reset


@pytest.fixture(autouse=True)
def _fresh_engine():
    reset()
    yield
    reset()


def check(client, text: str) -> dict:
    response = client.post(
        "/api/v1/check", json.dumps({"input": text}), content_type="application/json"
    )
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("x@evil.com (vanphong@quangninh.gov.vn)", "impersonation"),
        ("From: x@evil.com, vanphong@quangninh.gov.vn", "suspicious"),
        ("x@evil.com, vanphong@quangninh.gov.vn", "suspicious"),
        ("Nhóm: x@evil.com, vanphong@quangninh.gov.vn;", "suspicious"),
        ("mailto:x@quangninh.gov.vn?to=y@evil.com", "suspicious"),
        ("x@ｑｕａｎｇｎｉｎｈ.gov.vn", "impersonation"),
        ("x@quangninh。gov。vn", "impersonation"),
        ("x@quang\u200bninh.gov.vn", "impersonation"),
        ("x@=?utf-8?q?quangninh.gov.vn?=", "suspicious"),
    ],
)
def test_sender_inputs_the_intruder_found_are_not_official(client, default_registry, text, verdict):
    data = check(client, text)
    assert data["kind"] == "address"
    assert data["verdict"] == verdict, data["reasons"]
    assert data["channel"] is None
    assert all(r["message"] for r in data["reasons"])
