"""A bulletin's pictures and PDFs: taken for what their bytes are, capped in size before
anything is stored, served so that no browser runs or guesses anything."""

import hashlib
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chinhthong.bulletins import attachments, services
from chinhthong.bulletins.models import Attachment
from chinhthong.config.refusals import Refused
from tests.bulletins.authoring_files import EXE, SVG, gif, jpeg, pdf, png, webp

pytestmark = pytest.mark.django_db


def _flat_png(width: int, height: int) -> bytes:
    """A one-colour PNG of any size: small once compressed, huge once opened."""
    packer, row = zlib.compressobj(9), bytes(width + 1)  # row by row: little memory
    rows = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = lambda kind, data: (  # noqa: E731
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    )
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


@pytest.fixture
def draft(editor):
    return services.create_draft(
        services.Draft(title="Hướng dẫn phòng dịch", body_markdown="Xem tệp đính kèm."),
        actor=editor,
    )


@pytest.mark.parametrize(
    ("name", "data", "stored_as", "content_type"),
    [
        ("Ảnh chụp.PNG", png(), "anh-chup.png", "image/png"),
        ("bản đồ.jpeg", jpeg(), "ban-do.jpg", "image/jpeg"),
        ("poster.webp", webp(), "poster.webp", "image/webp"),
        ("hoat hinh.gif", gif(), "hoat-hinh.gif", "image/gif"),
        ("Hướng dẫn 5K.pdf", pdf(), "huong-dan-5k.pdf", "application/pdf"),
        ("khong-duoi", png(), "khong-duoi.png", "image/png"),
        ("anh.pdf", png(), "anh.png", "image/png"),  # named for what it is, not what it says
    ],
)
def test_pictures_and_pdfs_are_kept_with_their_digest(draft, editor, name, data, stored_as,
                                                      content_type):  # fmt: skip
    file = attachments.add_attachment(draft, name=name, data=data, actor=editor)
    file.refresh_from_db()
    assert (file.name, file.content_type, file.size) == (stored_as, content_type, len(data))
    assert file.sha256 == hashlib.sha256(data).hexdigest()
    assert bytes(file.data) == data
    last = draft.history.order_by("history_date").last()
    assert last.history_user == editor
    assert last.history_change_reason == f"Đính kèm tệp: {stored_as}"


HOSTILE = [
    ("huong-dan-phong-dich.pdf", EXE, "type", "không thuộc loại được nhận"),
    ("anh.svg", SVG, "svg", "SVG"),
    ("anh.png", b"<svg onload='alert(1)'/>", "svg", "SVG"),
    ("trang.html", b"<html><script>alert(1)</script></html>", "type", "không thuộc loại"),
    ("rong.png", b"", "empty", "trống"),
    ("cat-do.png", png()[:40], "damaged", "bị hỏng"),
    ("cat-do.pdf", pdf()[:-20], "damaged", "bị hỏng"),
    ("bieu-tuong.ico", b"\x00\x00\x01\x00" + b"\x00" * 60, "type", "không thuộc loại"),
    ("mo-ra-la-chay.pdf", pdf(extra=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
     "active_pdf", "JavaScript"),
    ("an-ten.pdf", pdf(extra=b"/OpenAction << /S /Java#53cript /JS (x) >>"), "active_pdf", ""),
    ("chay-lenh.pdf", pdf(extra=b"/OpenAction << /S /Launch /F (cmd.exe) >>"), "active_pdf",
     "Launch"),
    # 300 KB on disk, 400 MB in a phone's memory once opened.
    ("rat-lon.png", _flat_png(10_000, 10_000), "image_size", "hơn 50 triệu điểm ảnh"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "data", "code", "message"), HOSTILE)
def test_hostile_files_are_refused_and_nothing_is_stored(draft, editor, name, data, code, message):
    with pytest.raises(Refused) as refused:
        attachments.add_attachment(draft, name=name, data=data, actor=editor)
    assert refused.value.code == code
    assert message in refused.value.message
    assert not Attachment.objects.exists()


def test_over_size_files_are_refused_before_anything_is_stored(draft, editor, settings):
    settings.BULLETIN_IMAGE_MAX_BYTES = 1024 * 1024
    settings.BULLETIN_PDF_MAX_BYTES = 2 * 1024 * 1024
    big_picture = png()[:-12] + b"\x00" * (1024 * 1024) + png()[-12:]
    with pytest.raises(Refused) as refused:
        attachments.add_attachment(draft, name="to.png", data=big_picture, actor=editor)
    assert (refused.value.code, refused.value.message) == (
        "too_large",
        "Tệp lớn hơn 1,0\xa0MB, mức tối đa cho phép.",
    )
    with pytest.raises(Refused) as refused:
        attachments.add_attachment(draft, name="to.pdf", data=pdf() + b" " * 2**21, actor=editor)
    assert refused.value.code == "too_large"
    assert not Attachment.objects.exists()


def test_the_same_file_twice_and_names_taken(draft, editor):
    first = attachments.add_attachment(draft, name="anh.png", data=png(), actor=editor)
    with pytest.raises(Refused) as refused:
        attachments.add_attachment(draft, name="khac.png", data=png(), actor=editor)
    assert refused.value.code == "duplicate" and "anh.png" in refused.value.message
    second = attachments.add_attachment(draft, name="anh.png", data=png(32, 32), actor=editor)
    assert (first.name, second.name) == ("anh.png", "anh-2.png")
    renamed = attachments.rename_attachment(second, "Ảnh thứ hai.GIF", actor=editor)
    assert renamed.name == "anh-thu-hai.png"  # its extension is that of its type


def test_a_published_bulletins_files_keep_their_names(draft, editor):
    file = attachments.add_attachment(draft, name="anh.png", data=png(), actor=editor)
    services.publish(draft, actor=editor)
    with pytest.raises(Refused) as refused:
        attachments.rename_attachment(file, "ten-moi.png", actor=editor)
    assert refused.value.code == "published"
    # A new file may still come, for a correction to show.
    attachments.add_attachment(draft, name="anh-moi.png", data=png(48, 48), actor=editor)
    assert draft.attachments.count() == 2


def test_a_file_attached_after_publication_waits_for_the_correction(client, draft, editor):
    """The signed version's page never gains a file nobody signed: a file attached to a
    published bulletin is public from the correction made after it, not before."""
    services.publish(draft, actor=editor)
    file = attachments.add_attachment(draft, name="so-do.png", data=png(), actor=editor)
    url = f"/ban-tin/tep/{file.pk}/so-do.png"
    assert client.get(url).status_code == 404
    assert "so-do.png" not in client.get(f"/ban-tin/{draft.slug}/").content.decode()
    client.force_login(editor)  # the editor sees it, to write the correction around it
    assert client.get(url).status_code == 200
    client.logout()

    correction = services.Draft(
        title="Hướng dẫn phòng dịch", body_markdown="Xem sơ đồ: ![Sơ đồ](so-do.png)"
    )
    services.correct(draft, correction, actor=editor, significant=False)
    assert client.get(url).status_code == 200
    assert url in client.get(f"/ban-tin/{draft.slug}/").content.decode()


def test_a_cancelled_bulletin_takes_no_file(draft, editor):
    services.cancel(draft, actor=editor)
    with pytest.raises(Refused) as refused:
        attachments.add_attachment(draft, name="anh.png", data=png(), actor=editor)
    assert refused.value.code == "cancelled"


# --- served ---------------------------------------------------------------------------------
def test_a_published_picture_is_public_and_runs_nothing(client, draft, editor):
    file = attachments.add_attachment(draft, name="anh.png", data=png(), actor=editor)
    url = f"/ban-tin/tep/{file.pk}/anh.png"
    assert client.get(url).status_code == 404  # a draft's file: not public yet
    services.publish(draft, actor=editor)
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == png()
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'inline; filename="anh.png"'
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "public, max-age=3600"
    etag = response["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.post(url).status_code == 405
    moved = client.get(f"/ban-tin/tep/{file.pk}/ten-khac.png")
    assert (moved.status_code, moved["Location"]) == (302, url)


def test_a_pdf_is_downloaded_not_shown(client, draft, editor):
    file = attachments.add_attachment(draft, name="Hướng dẫn.pdf", data=pdf(), actor=editor)
    services.publish(draft, actor=editor)
    response = client.get(f"/ban-tin/tep/{file.pk}/huong-dan.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="huong-dan.pdf"'


def test_a_drafts_file_only_for_those_who_see_drafts(client, draft, editor, staff_member):
    file = attachments.add_attachment(draft, name="anh.png", data=png(), actor=editor)
    url = f"/ban-tin/tep/{file.pk}/anh.png"
    client.force_login(staff_member)
    assert client.get(url).status_code == 404
    client.force_login(editor)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    for missing in ("/ban-tin/tep/999999/anh.png", "/ban-tin/tep/99999999999999999999/anh.png"):
        assert client.get(missing).status_code == 404


# --- uploaded in the back office --------------------------------------------------------------
def _upload(client, bulletin, name: str, data: bytes, content_type="application/pdf"):
    upload = SimpleUploadedFile(name, data, content_type=content_type)
    return client.post(
        "/quan-tri/bulletins/attachment/add/", {"bulletin": bulletin.pk, "file": upload}
    )


def test_hostile_uploads_are_refused_with_the_reason(client, draft, editor):
    client.force_login(editor)
    for name, data, _code, message in HOSTILE:
        response = _upload(client, draft, name, data)
        assert response.status_code == 200, name
        expected = message if data else "Tập tin được gửi là rỗng."  # the form's own check
        assert expected in response.content.decode(), name
    assert not Attachment.objects.exists()
    response = _upload(client, draft, "Hướng dẫn.pdf", pdf())
    assert response.status_code == 302
    assert response["Location"] == f"/quan-tri/bulletins/bulletin/{draft.pk}/change/"
    assert Attachment.objects.get().name == "huong-dan.pdf"


def test_an_upload_larger_than_any_file_may_be_is_refused_before_it_is_read(client, draft, editor):
    client.force_login(editor)
    response = _upload(client, draft, "to.pdf", pdf() + b" " * (attachments.cap() + 300 * 1024))
    assert response.status_code == 413
    assert not Attachment.objects.exists()


def test_an_image_over_its_cap_but_under_the_pdfs_is_refused_by_its_type(client, draft, editor):
    client.force_login(editor)
    big = png()[:-12] + b"\x00" * (5 * 1024 * 1024) + png()[-12:]
    response = _upload(client, draft, "to.png", big, "image/png")
    assert response.status_code == 200
    assert "Tệp lớn hơn 5,0\xa0MB" in response.content.decode()
    assert not Attachment.objects.exists()


def test_renaming_in_the_back_office(client, draft, editor):
    file = attachments.add_attachment(draft, name="anh.png", data=png(), actor=editor)
    client.force_login(editor)
    response = client.post(
        f"/quan-tri/bulletins/attachment/{file.pk}/change/", {"name": "Bản đồ mới"}
    )
    assert response.status_code == 302
    file.refresh_from_db()
    assert file.name == "ban-do-moi.png"
