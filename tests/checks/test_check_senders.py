"""POST /api/v1/check with sender inputs an intruder answered official: a stranger's mailbox
after an official address (taken for the mailbox before its angle brackets), pasted sender
lines with spaces, a mailto link adding recipients, domains that only fold to the official
one."""

import json

import pytest


def check(client, text: str) -> dict:
    response = client.post(
        "/api/v1/check", json.dumps({"input": text}), content_type="application/json"
    )
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize(
    "sender",
    [
        "vanphong@quangninh.gov.vn <x@evil.com>",
        "Van phong vanphong@quangninh.gov.vn <x@evil.com>",
        "UBND tinh <vanphong@quangninh.gov.vn> <x@evil.com>",
        "From: vanphong@quangninh.gov.vn <x@evil.com>",
    ],
)
def test_an_official_address_before_a_strangers_mailbox_is_impersonation(
    client, default_registry, sender
):
    data = check(client, sender)
    assert data["verdict"] == "impersonation"
    assert data["channel"] is None
    assert data["lookalike_of"]["slug"] == "mail-thu-cong-vu-quang-ninh"
    assert "display_name" in {r["code"] for r in data["reasons"]}


def test_an_address_a_browser_opens_elsewhere_is_not_official(client, default_registry):
    data = check(client, "evil.com\\@quangninh.gov.vn")
    assert data["verdict"] == "suspicious"
    assert [r["code"] for r in data["reasons"]] == ["malformed_address"]
    assert data["reasons"][0]["params"]["characters"] == "\\"


def test_several_mailboxes_are_not_one_official_sender(client, default_registry):
    data = check(client, "x@evil.com,vanphong@quangninh.gov.vn")
    assert data["verdict"] == "suspicious"
    assert data["reasons"][0]["code"] == "several_senders"
    assert [part["input"] for part in data["parts"]] == [
        "x@evil.com",
        "vanphong@quangninh.gov.vn",
    ]


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
