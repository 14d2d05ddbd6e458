"""The site's identity: Quảng Ninh's defaults from the package's data, naming the agency in
charge today, never over an administrator's changes, and the one record that every page
shows."""

import datetime as dt

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.utils import timezone

from chinhthong.portal import images, services
from chinhthong.portal.models import SiteIdentity
from chinhthong.registry import succession
from chinhthong.registry.models import Agency
from tests.portal import pictures


def test_defaults_name_the_agency_in_charge_today_and_invent_no_contact(default_registry):
    """The letters name Sở Thông tin và Truyền thông, which the registry's own data records as
    succeeded by Sở Khoa học và Công nghệ on 01/03/2025: a new site names the latter."""
    found = services.load_default_identity()
    assert found.name == "Sở Khoa học và Công nghệ tỉnh Quảng Ninh"
    assert found.name_en == "Quảng Ninh Department of Science and Technology"
    assert found.agency.code == "so-khcn-quang-ninh"  # linked to its page in the directory
    assert found.legal_line == "Cơ quan chủ quản: Ủy ban nhân dân tỉnh Quảng Ninh."
    assert "Quảng Ninh" in found.site_name
    # The letters print no address, telephone, mail address or hours for it.
    assert (found.address, found.phone, found.email, found.hours, found.website) == ("",) * 5
    assert not found.emblem_sha256 and not found.favicon_sha256
    assert found.history.first().history_change_reason == "Giá trị mặc định do chinhthong setup đặt"


def test_the_default_file_names_the_agency_the_default_registry_has_in_charge(default_registry):
    document = yaml.safe_load(services.default_identity_text())
    agency = Agency.objects.get(code=document["agency"])
    assert not succession.ownership(agency).changed
    assert (document["name"], document["name_en"]) == (agency.name, agency.name_en)
    # …and that agency took over from the one the letters name.
    named = Agency.objects.get(code="so-tttt-quang-ninh")
    assert succession.ownership(named).current == agency


def _succeed(code: str, on: dt.date) -> Agency:
    successor = Agency(
        code="so-moi-quang-ninh",
        name="Sở Chuyển đổi số tỉnh Quảng Ninh",
        name_en="Quảng Ninh Department of Digital Transformation",
        level="province",
    )
    successor.full_clean()
    successor.save()
    agency = Agency.objects.get(code=code)
    agency.successor, agency.succeeded_on = successor, on
    agency.full_clean()
    agency.save()
    return successor


def test_setup_follows_a_succession_the_registry_records_later(default_registry):
    successor = _succeed("so-khcn-quang-ninh", timezone.localdate() - dt.timedelta(days=1))
    found = services.load_default_identity()
    assert (found.name, found.name_en) == (successor.name, successor.name_en)
    assert found.agency == successor
    assert found.legal_line == "Cơ quan chủ quản: Ủy ban nhân dân tỉnh Quảng Ninh."


def test_a_succession_still_to_come_is_not_followed(default_registry):
    _succeed("so-khcn-quang-ninh", timezone.localdate() + dt.timedelta(days=30))
    found = services.load_default_identity()
    assert found.agency.code == "so-khcn-quang-ninh"
    assert found.name == "Sở Khoa học và Công nghệ tỉnh Quảng Ninh"


def test_defaults_never_replace_what_an_administrator_set(default_registry):
    services.update_identity(name="Sở Khoa học và Công nghệ tỉnh Quảng Ninh", phone="0203 1")
    assert services.load_default_identity() is None
    found = services.identity()
    assert (found.name, found.phone) == ("Sở Khoa học và Công nghệ tỉnh Quảng Ninh", "0203 1")


def test_defaults_without_the_agency_in_the_registry(db):
    found = services.load_default_identity()
    assert found.name and found.agency is None


def test_one_record_exists_from_the_migration_and_pages_never_write(db):
    assert SiteIdentity.objects.count() == 1
    SiteIdentity.objects.all().delete()
    blank = services.identity()  # a page's read
    assert blank.display_site_name == "chinhthong" and SiteIdentity.objects.count() == 0
    assert blank.favicon_url == "/static/chinhthong/favicon.svg" and blank.emblem_url == ""


def test_an_update_is_validated_whole_and_keeps_nothing_when_refused(db):
    with pytest.raises(ValidationError):
        services.update_identity(name="Sở A", email="not an address")
    with pytest.raises(ValidationError):
        services.update_identity(name="Sở\u202eA")  # a text-direction override
    with pytest.raises(images.ImageRejected):
        services.update_identity(name="Sở B", pictures={images.EMBLEM: pictures.SVG})
    assert services.identity().name == ""


def test_images_get_addresses_named_by_their_digest(db):
    found = services.update_identity(
        pictures={images.EMBLEM: pictures.png(), images.FAVICON: pictures.ico()}
    )
    assert found.emblem_type == "image/png" and found.favicon_type == "image/x-icon"
    assert found.emblem_url == f"/anh/bieu-trung/{found.emblem_sha256}"
    assert found.favicon_url == f"/anh/bieu-tuong/{found.favicon_sha256}"
    found = services.update_identity(pictures={images.EMBLEM: None})
    assert found.emblem_url == "" and bytes(found.emblem) == b""


def test_the_name_follows_the_language(db):
    from django.utils import translation

    services.update_identity(name="Sở TTTT", name_en="Department of Information")
    found = services.identity()
    assert found.display_name == "Sở TTTT"
    with translation.override("en"):
        assert found.display_name == "Department of Information"
