"""Urgent bulletins as CAP 1.2 alerts, validated against the OASIS schema shipped in
bulletins/data (xmlschema), one per signed version (a correction is an Update referencing the
alerts before it), and /ban-tin/cap.xml, the Atom index of them that aggregators read."""

import logging
from importlib import resources

import pytest
import xmlschema
from django.conf import settings
from django.utils import timezone
from lxml import etree

from chinhthong.bulletins import cap, queries
from chinhthong.bulletins.models import BulletinVersion
from chinhthong.portal import services as portal
from tests.bulletins.public_bulletins import correct, publish
from tests.bulletins.test_feeds import ATOM, assert_valid_atom
from tests.reach.factories import make_tree

pytestmark = pytest.mark.django_db
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"


@pytest.fixture
def official_schema() -> xmlschema.XMLSchema10:
    path = resources.files("chinhthong.bulletins").joinpath("data/CAP-v1.2.xsd")
    return xmlschema.XMLSchema10(str(path))


def _alert(client, path: str, schema) -> etree._Element:
    response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/cap+xml; charset=utf-8"
    schema.validate(response.content.decode())  # raises on the first problem
    return etree.fromstring(response.content)


def test_an_urgent_bulletin_is_a_valid_cap_alert(client, default_registry, official_schema):
    portal.load_default_identity()
    make_tree()
    bulletin = publish(urgency="urgent", tags=["lừa đảo"])
    alert = _alert(client, f"/ban-tin/{bulletin.slug}/cap.xml", official_schema)
    field = lambda name: alert.findtext(f"{CAP}{name}")  # noqa: E731
    local = timezone.localtime(bulletin.published_at).replace(microsecond=0)
    assert field("identifier") == f"{bulletin.slug}.v1"
    assert field("sender") == "127.0.0.1"  # the public address's host (PUBLIC_URL)
    assert field("sent") == local.isoformat() and field("sent").endswith("+07:00")
    assert (field("status"), field("msgType"), field("scope")) == ("Actual", "Alert", "Public")
    assert alert.find(f"{CAP}references") is None
    info = alert.find(f"{CAP}info")
    value = lambda name: info.findtext(f"{CAP}{name}")  # noqa: E731
    assert value("language") == "vi-VN"
    assert value("category") == "Safety"
    assert value("event") == "lừa đảo"
    assert (value("urgency"), value("severity"), value("certainty")) == (
        "Immediate",
        "Unknown",
        "Observed",
    )
    assert value("senderName") == "Sở Khoa học và Công nghệ tỉnh Quảng Ninh"
    assert value("headline") == "Cảnh báo lừa đảo qua Zalo"
    assert value("description").startswith("Không bấm vào đường link lạ, không cung cấp mã OTP.")
    assert "không bấm vào đường link lạ" in value("description")  # the body, as text
    assert value("web") == f"{settings.PUBLIC_URL}/ban-tin/{bulletin.slug}/"
    assert info.findtext(f"{CAP}area/{CAP}areaDesc") == "Tỉnh Quảng Ninh"


def test_a_correction_is_an_update_that_references_the_alert_before(client, db, official_schema):
    bulletin = publish(urgency="urgent", tags=["bão"])
    correct(bulletin, title="Bão số 3 đổi hướng", change_note="Cập nhật hướng bão")
    correct(bulletin, title="Bão số 3 suy yếu")
    first = _alert(client, f"/ban-tin/{bulletin.slug}/v1.cap.xml", official_schema)
    latest = _alert(client, f"/ban-tin/{bulletin.slug}/cap.xml", official_schema)
    second = _alert(client, f"/ban-tin/{bulletin.slug}/v2.cap.xml", official_schema)
    assert latest.findtext(f"{CAP}identifier") == f"{bulletin.slug}.v3"
    assert latest.findtext(f"{CAP}msgType") == "Update"
    assert latest.findtext(f"{CAP}info/{CAP}category") == "Met"
    references = latest.findtext(f"{CAP}references").split()
    assert references == [
        ",".join(a.findtext(f"{CAP}{n}") for n in ("sender", "identifier", "sent"))
        for a in (first, second)
    ]
    assert second.findtext(f"{CAP}note") == "Cập nhật hướng bão"
    assert first.findtext(f"{CAP}msgType") == "Alert"
    assert client.get(f"/ban-tin/{bulletin.slug}/v4.cap.xml").status_code == 404


def test_a_normal_bulletin_has_no_alert(client, db):
    bulletin = publish()
    assert client.get(f"/ban-tin/{bulletin.slug}/cap.xml").status_code == 404
    assert bulletin.slug not in client.get("/ban-tin/cap.xml").content.decode()


def test_the_index_of_alerts_is_atom_linking_each_alert(client, db, official_schema):
    urgent = publish(urgency="urgent", title="Bão số 3 đổ bộ", tags=["bão"])
    publish(title="Lịch tiêm chủng tuần này")
    response = client.get("/ban-tin/cap.xml")
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = assert_valid_atom(response.content)
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Bão số 3 đổ bộ"]
    links = {link.get("type"): link.get("href") for link in entries[0].findall(f"{ATOM}link")}
    alert_url = f"{settings.PUBLIC_URL}/ban-tin/{urgent.slug}/cap.xml"
    assert links["application/cap+xml"] == alert_url
    _alert(client, alert_url.removeprefix(settings.PUBLIC_URL), official_schema)


def test_an_alert_the_schema_refuses_is_logged_and_withheld(client, db, caplog):
    bulletin = publish(urgency="urgent")
    # A row written before the title's characters were checked: a vertical tab, which XML
    # cannot carry.
    BulletinVersion.objects.filter(bulletin=bulletin).update(title="Cảnh báo\x0bkhẩn")
    with caplog.at_level(logging.ERROR, logger="chinhthong.bulletins.cap"):
        response = client.get(f"/ban-tin/{bulletin.slug}/cap.xml")
        index = client.get("/ban-tin/cap.xml")
    assert response.status_code == 503
    assert "Cảnh báo này tạm không được cung cấp" in response.content.decode()
    assert bulletin.slug in caplog.text
    assert bulletin.slug not in index.content.decode() and index.status_code == 200


def test_the_schema_is_the_standards_and_catches_a_broken_alert(db, official_schema):
    """What cap.py validates with refuses an alert without its required status."""
    bulletin = publish(urgency="urgent")
    body = cap.alert_xml(queries.bulletin_page(bulletin.slug))
    root = etree.fromstring(body)
    root.remove(root.find(f"{CAP}status"))
    assert official_schema.is_valid(etree.tostring(root).decode()) is False
    assert cap.schema().is_valid(etree.tostring(root).decode()) is False
    assert cap.schema().target_namespace == "urn:oasis:names:tc:emergency:cap:1.2"
