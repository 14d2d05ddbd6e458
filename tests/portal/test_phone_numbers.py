"""Telephone numbers on the public pages are written as Vietnamese readers write them (the
engine's ``phones.readable``), and each is a tap-to-call link to its canonical number; what is
not a valid number is shown as typed, and no link."""

import html

import pytest
from django.template import Context, Template

from chinhthong.portal import services
from chinhthong.registry import importing
from chinhthong.registry.models import Agency


@pytest.mark.parametrize(
    ("typed", "shown", "href"),
    [
        ("0203.3835.444", "0203 3835 444", "tel:+842033835444"),
        ("+842033835444", "0203 3835 444", "tel:+842033835444"),
        ("(024) 3823-4567", "024 3823 4567", "tel:+842438234567"),
        ("0912345678", "0912 345 678", "tel:+84912345678"),
        ("1900 561 256", "1900 561 256", "tel:1900561256"),
        ("113", "113", "tel:113"),
    ],
)
def test_a_number_is_written_as_readers_write_it_and_dialled_canonically(typed, shown, href):
    out = Template("{% load portal %}{{ n|phone }}|{{ n|tel_href }}|{{ n|phone_link }}").render(
        Context({"n": typed})
    )
    assert out == f'{shown}|{href}|<a class="phone" href="{href}">{shown}</a>'


@pytest.mark.parametrize("typed", ["gọi tổng đài", "0203 1", "<b>0203</b>"])
def test_what_is_not_a_number_is_shown_as_typed_and_no_link(typed):
    out = Template("{% load portal %}{{ n|phone }}|{{ n|tel_href }}|{{ n|phone_link }}").render(
        Context({"n": typed})
    )
    escaped = html.escape(typed, quote=True).replace("&#x27;", "&#39;")
    assert out == f"{escaped}||{escaped}"


def test_the_footer_shows_the_identitys_number_readably(client, default_registry):
    services.load_default_identity()
    services.update_identity(phone="0203.3835.444")
    page = client.get("/").content.decode()
    footer = page[page.index("<footer") :]
    assert '<a class="phone" href="tel:+842033835444">0203 3835 444</a>' in footer
    assert "0203.3835.444" not in footer


def test_an_agencys_page_shows_its_number_readably(client, default_registry):
    Agency.objects.filter(code="so-y-te-quang-ninh").update(phone="0203.3825.000")
    page = client.get("/danh-ba/co-quan/so-y-te-quang-ninh/").content.decode()
    assert '<a class="phone" href="tel:+842033825000">0203 3825 000</a>' in page


def test_a_hotline_shows_as_readers_write_it_in_the_directory(client, default_registry):
    importing.import_registry(
        {
            "channels": [
                {
                    "slug": "duong-day-nong-so-y-te",
                    "agency": "so-y-te-quang-ninh",
                    "kind": "hotline",
                    "name": "Đường dây nóng Sở Y tế",
                    "phone": "0203.3825.000",
                    "status": "active",
                }
            ]
        }
    )
    link = '<a class="identifier" href="tel:+842033825000">0203 3825 000</a>'
    for path in ("/danh-ba/", "/danh-ba/co-quan/so-y-te-quang-ninh/"):
        page = client.get(path).content.decode()
        assert link in page, path
        assert "+842033825000<" not in page, path
    page = client.get("/danh-ba/kenh/duong-day-nong-so-y-te/").content.decode()
    assert '<a class="phone" href="tel:+842033825000">0203 3825 000</a>' in page
    assert ">+842033825000<" not in page
