"""An administrator edits the site's identity in the back office: images are checked before
they are kept, and the one record is never added or deleted."""

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile

from chinhthong.accounts import roles
from chinhthong.accounts import services as accounts
from chinhthong.portal import images, services
from chinhthong.portal.models import SiteIdentity
from tests.accounts.test_back_office_permissions import form_data
from tests.conftest import PASSWORD
from tests.portal import pictures

URL = "/quan-tri/portal/siteidentity/1/change/"


@pytest.fixture
def form(default_registry, client):
    services.load_default_identity()
    # The role, not a superuser: what it may do is the roles table.
    client.force_login(accounts.create_user("quan-tri-trang", PASSWORD, role=roles.ADMINISTRATOR))
    return form_data(admin.site._registry[SiteIdentity], services.stored_identity())


def _upload(name: str, data: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_an_administrator_sets_contacts_and_images(client, form):
    emblem, favicon = pictures.png(120, 120), pictures.ico()
    data = {
        **form,
        "phone": "0203 3835 444",
        "hours": "Thứ Hai đến Thứ Sáu",
        "emblem_file": _upload("quoc-huy.png", emblem),
        "favicon_file": _upload("icon.ico", favicon, "image/x-icon"),
    }
    versions = services.identity().history.count()
    response = client.post(URL, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    found = services.identity()
    assert found.history.count() == versions + 1
    assert (found.phone, found.hours) == ("0203 3835 444", "Thứ Hai đến Thứ Sáu")
    assert bytes(found.emblem) == emblem and found.favicon_type == "image/x-icon"
    page = client.get(URL).content.decode()
    assert f'src="{found.emblem_url}"' in page  # the current emblem is shown
    assert 'accept="image/png,image/jpeg,image/webp,image/gif"' in page

    client.post(URL, {**form, "remove_emblem": "on"})
    assert services.identity().emblem_sha256 == ""
    assert services.identity().favicon_sha256 == found.favicon_sha256  # the icon stays


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("emblem.svg", pictures.SVG, "Không nhận tệp SVG"),
        ("emblem.png", b"%PDF-1.7 renamed to .png" + b"\0" * 100, "không phải ảnh"),
        ("emblem.png", pictures.png(8, 8), "8×8"),
        ("emblem.png", pictures.png() + b"\0" * (161 * 1024), "160 KB"),
    ],
    ids=["svg", "pdf", "tiny", "too-large"],
)
def test_an_image_that_may_not_serve_is_refused_and_nothing_changes(
    client, form, name, data, message
):
    before = services.identity().history.count()
    response = client.post(URL, {**form, "hours": "đổi", "emblem_file": _upload(name, data)})
    assert response.status_code == 200
    assert message in response.content.decode()
    found = services.identity()
    assert found.emblem_sha256 == "" and found.hours == "" and found.history.count() == before


def test_a_body_larger_than_the_back_office_takes_is_refused_before_it_is_read(client, form):
    huge = pictures.png() + b"\0" * (300 * 1024)
    response = client.post(URL, {**form, "emblem_file": _upload("big.png", huge)})
    assert response.status_code == 413
    assert services.identity().emblem_sha256 == ""


def test_the_record_is_neither_added_nor_deleted(client, form):
    assert client.get("/quan-tri/portal/siteidentity/add/").status_code == 403
    assert (
        client.post("/quan-tri/portal/siteidentity/1/delete/", {"post": "yes"}).status_code == 403
    )
    assert SiteIdentity.objects.count() == 1
    listing = client.get("/quan-tri/portal/siteidentity/").content.decode()
    assert "Sở Khoa học và Công nghệ tỉnh Quảng Ninh" in listing
    assert images.MAX_BYTES[images.EMBLEM] + images.MAX_BYTES[images.FAVICON] < 256 * 1024
