"""The referral package (reports/package.py): a PDF in Vietnamese, set in a font that writes
it (read back with poppler's pdftotext and pdffonts), and a ZIP of the evidence as received
whose manifests hold the right hashes (checked by sha256sum itself)."""

import io
import json
import logging
import subprocess
import zipfile

import pytest
from django.test import override_settings

from chinhthong.config.refusals import Refused
from chinhthong.reports import custody, evidence, intake, package, referrals
from chinhthong.reports.models import Case, CustodyEntry, CustodyHead, Intake, Report
from tests.reports.helpers import png, report
from tests.reports.test_referrals import PA03, body, decided_case, handler

pytestmark = pytest.mark.django_db

CONTACT = {
    "contact_name": "Trần Thị Bình",
    "contact_email": "binh.tran@example.vn",
    "contact_phone": "0912345678",
    "consent": True,
}


def pdf_text(data: bytes, tmp_path) -> str:
    """The PDF's text in the order it was written (cell by cell: a table's cells do not mix)."""
    path = tmp_path / "ho-so.pdf"
    path.write_bytes(data)
    done = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return done.stdout.decode()


def pdf_fonts(data: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout.decode()


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_pdf_is_in_vietnamese_and_holds_the_case(default_registry, tmp_path, caplog):
    case = decided_case(**CONTACT)
    referrals.refer(case, body(PA03), actor=handler(), note="Đề nghị xử lý theo thẩm quyền.")
    case.refresh_from_db()
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        data = package.referral_pdf(case, body(PA03))
    assert data.startswith(b"%PDF-")
    assert not [r for r in caplog.records if r.name.startswith("weasyprint")]
    text = flat(pdf_text(data, tmp_path))
    assert case.number in text
    assert "HỒ SƠ CHUYỂN XỬ LÝ THÔNG TIN SAI SỰ THẬT" in text
    assert "Kính gửi" in text and "Phòng PA03 – Công an tỉnh Quảng Ninh" in text
    assert "Tin giả" in text  # the verdict, as the national centre labels it
    assert "Sở Y tế tỉnh Quảng Ninh xác nhận không có lệnh phong tỏa nào." in text
    assert "Tin đồn: tỉnh sắp phong tỏa toàn bộ thành phố Hạ Long từ ngày mai" in text
    assert "Đề nghị xử lý theo thẩm quyền." in text
    squeezed = text.replace(" ", "")  # a long link or hash is broken over lines
    assert "https://www.facebook.com/groups/123/posts/456" in squeezed
    reporter = case.reports.get()
    assert reporter.tracking_code in squeezed
    assert "Biểu mẫu công khai" in text
    item = case.evidence.get()
    assert item.sha256 in squeezed and f"{item.size} byte" in text
    # The package as sent ends at the entry before "referred" (which holds its hashes).
    referred = CustodyEntry.objects.get(case=case, action="referred")
    assert referred.previous in squeezed
    for action in ("Mở vụ việc", "Tiếp nhận phản ánh", "Lưu chứng cứ", "Đã chuyển xử lý"):
        assert action in text
    # The reporter is not in it (the setting is off by default).
    for value in CONTACT.values():
        if isinstance(value, str):
            assert value not in text
    assert "không có trong hồ sơ này" in text
    fonts = pdf_fonts(data, tmp_path)
    assert "Noto-Sans" in fonts
    assert all(" yes " in line for line in fonts.splitlines()[2:])  # every font embedded


def test_contacts_are_in_the_pdf_only_when_the_setting_allows(default_registry, tmp_path):
    case = decided_case(**CONTACT)
    with override_settings(REFERRAL_INCLUDES_CONTACT=True):
        text = flat(pdf_text(package.referral_pdf(case, body(PA03)), tmp_path))
    assert "Trần Thị Bình" in text
    assert "binh.tran@example.vn" in text
    assert "0912345678" in text


def test_a_staff_reporter_is_not_named_in_the_timeline(default_registry, tmp_path):
    from chinhthong.accounts import roles
    from chinhthong.accounts import services as accounts
    from tests.conftest import PASSWORD

    person = accounts.create_user("nguyenvanan", PASSWORD, role=roles.STAFF)
    made = intake.submit(
        intake.Submission(claim="Tin nhắn giả mạo Sở Tài chính yêu cầu chuyển tiền gấp"),
        intake=Intake.STAFF,
        actor=person,
    )
    case = Case.objects.get(pk=made.case_id)
    text = flat(pdf_text(package.referral_pdf(case, body(PA03)), tmp_path))
    assert "nguyenvanan" not in text
    assert "Người phản ánh" in text
    with override_settings(REFERRAL_INCLUDES_CONTACT=True):
        text = flat(pdf_text(package.referral_pdf(case, body(PA03)), tmp_path))
    assert "nguyenvanan" in text


def test_text_of_a_report_is_text_and_the_pdf_loads_nothing(default_registry, tmp_path):
    claim = 'Bài viết <img src="http://127.0.0.1:9/x.png"> <b>đậm</b> <script>alert(1)</script>'
    case = decided_case(claim=claim)
    text = flat(pdf_text(package.referral_pdf(case), tmp_path))
    assert '<img src="http://127.0.0.1:9/x.png">' in text
    assert "<script>alert(1)</script>" in text


@override_settings(REFERRAL_INCLUDES_CONTACT=True)
def test_the_zip_holds_the_evidence_as_received_with_its_manifests(default_registry, tmp_path):
    photo = png(exif=True)  # a JPEG with a camera and a place: the original keeps them
    made = report(
        files=[
            intake.Upload("../../ảnh chụp.jpg", photo),
            intake.Upload("màn hình 2.png", png(colour=(20, 90, 200))),
        ]
    )
    case = Case.objects.get(pk=made.case_id)
    archive = zipfile.ZipFile(io.BytesIO(package.evidence_zip(case, body(PA03))))
    names = archive.namelist()
    assert "manifest.json" in names and "manifest-sha256.txt" in names
    assert package.PDF_NAME in names
    assert all(not n.startswith("/") and ".." not in n for n in names)
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["case"] == case.number
    assert manifest["recipient"] == PA03
    stored = list(case.evidence.order_by("created_at", "pk"))
    assert [f["sha256"] for f in manifest["evidence"]] == [e.sha256 for e in stored]
    for entry, item in zip(manifest["evidence"], stored, strict=True):
        data = archive.read(entry["path"])
        assert evidence.sha256(data) == entry["sha256"] == item.sha256
        assert len(data) == entry["size"] == item.size
    assert archive.read(manifest["evidence"][0]["path"]) == photo  # EXIF and all
    pdf = archive.read(package.PDF_NAME)
    assert pdf.startswith(b"%PDF-") and manifest["summary"]["sha256"] == evidence.sha256(pdf)
    head = CustodyHead.objects.get(case=case)
    assert manifest["custody_head"]["digest"] == head.digest
    # sha256sum itself checks the unpacked files against manifest-sha256.txt.
    archive.extractall(tmp_path)
    lines = (tmp_path / "manifest-sha256.txt").read_text().splitlines()
    assert len(lines) == len(stored) + 2
    done = subprocess.run(
        ["sha256sum", "--strict", "-c", "manifest-sha256.txt"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": OK") == len(stored) + 2


def test_a_package_is_never_made_with_evidence_changed_on_disk(default_registry):
    case = decided_case()
    item = case.evidence.get()
    path = evidence.path_for(item.sha256)
    original = path.read_bytes()
    try:
        path.write_bytes(original + b"!")
        with pytest.raises(Refused) as refused:
            package.evidence_zip(case)
        assert refused.value.code == "evidence_changed"
        with pytest.raises(Refused):
            referrals.refer(case, body(PA03), actor=handler())
        assert not case.referrals.exists()
        assert Case.objects.get(pk=case.pk).state == "decided"
        path.unlink()
        with pytest.raises(Refused) as refused:
            package.evidence_zip(case)
        assert refused.value.code == "evidence_missing"
    finally:
        path.write_bytes(original)
    assert custody.verify(case) == []


def test_the_package_of_a_referral_is_the_one_sent_byte_for_byte(default_registry, tmp_path):
    from chinhthong.reports import handling

    case = decided_case(**CONTACT)
    staff = handler()
    referral = referrals.refer(case, body(PA03), actor=staff, note="Đề nghị xử lý.")
    first, second = package.as_sent(referral), package.as_sent(referral)
    assert first.pdf == second.pdf  # WeasyPrint: no varying identifier or dates
    assert first.zip == second.zip
    assert first.zip_sha256 == referral.package_sha256
    referred = CustodyEntry.objects.get(case=case, action="referred")
    assert referred.detail["zip_sha256"] == referral.package_sha256
    assert referred.detail["pdf_sha256"] == first.pdf_sha256
    assert b"/ID" not in first.pdf
    # More happens to the case: a comment, a state change, an answer from the body.
    handling.comment(case, "Đã gọi điện cho PA03.", actor=staff)
    handling.move(case, "closed", actor=staff, note="Đã chuyển xong.")
    assert CustodyEntry.objects.filter(case=case).count() > referred.seq
    again = package.as_sent(referral)
    assert again.zip == first.zip and again.zip_sha256 == referral.package_sha256
    archive = zipfile.ZipFile(io.BytesIO(again.zip))
    from zoneinfo import ZoneInfo

    local = referral.referred_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    moment = (*local.timetuple()[:5], local.second - local.second % 2)  # DOS time: 2 s steps
    assert {i.date_time for i in archive.infolist()} == {moment}
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["generated_at"] == referral.referred_at.isoformat()
    assert manifest["custody_head"]["seq"] == referred.seq - 1
    assert manifest["custody_head"]["digest"] == referred.previous
    text = flat(pdf_text(archive.read(package.PDF_NAME), tmp_path))
    assert "Đã gọi điện" not in text and "Bình luận nội bộ" not in text
    assert "Đã chuyển xử lý" in text  # the case's state as sent, the site's own label
    assert "Đã đóng" not in text
    # The handler's copy addressed to no one is the case as it stands.
    assert package.build(case).zip_sha256 != referral.package_sha256
    assert package.rebuilt_differs(referral) is False


def test_the_pdf_uses_the_sites_labels(default_registry, tmp_path):
    case = decided_case()
    referral = referrals.refer(case, body(PA03), actor=handler())
    text = flat(pdf_text(package.as_sent(referral).pdf, tmp_path))
    assert "Đã chuyển xử lý" in text  # the state and the referral's status, as on the site
    assert "Đã chuyển Số" not in text  # the package's own label for "sent" is gone
    assert "Đã có kết luận" not in text and "Mới tiếp nhận" not in text
    assert "Facebook" in text  # the platform by name


@override_settings(REFERRAL_INCLUDES_CONTACT=True)
def test_a_package_with_contacts_erased_since_cannot_be_rebuilt(default_registry):
    from django.utils import timezone

    case = decided_case(**CONTACT)
    referral = referrals.refer(case, body(PA03), actor=handler())
    assert package.as_sent(referral).zip_sha256 == referral.package_sha256
    assert package.rebuilt_differs(referral) is False
    Report.objects.filter(case=case).update(
        contact_name="", contact_email="", contact_phone="", contact_erased_at=timezone.now()
    )
    assert package.as_sent(referral).zip_sha256 != referral.package_sha256
    assert package.rebuilt_differs(referral) is True


def test_a_body_gets_pictures_without_metadata_and_no_forwarded_message(default_registry, settings):
    """Reporters are not named to a body unless the setting says so: a photo's EXIF (where, which
    phone) and a forwarded message's headers would name them."""
    import io
    import json
    import zipfile

    from chinhthong.reports import intake as reports_intake
    from chinhthong.reports.models import EvidenceKind

    from .helpers import png, report

    settings.REFERRAL_INCLUDES_CONTACT = False
    made = report(files=[reports_intake.Upload("gps.jpg", png(exif=True))])
    raw = b"From: Nguyen Van A <a@example.vn>\r\nSubject: Fwd\r\n\r\nhttps://x.com/a/status/1\r\n"
    message = reports_intake.Upload("message.eml", raw, EvidenceKind.MESSAGE)
    reports_intake.add_file(made.case, made, message, None, actor=None)
    archive = zipfile.ZipFile(io.BytesIO(package.evidence_zip(made.case)))
    names = archive.namelist()
    assert not any(name.endswith("message.eml") for name in names)
    manifest = json.loads(archive.read("manifest.json"))
    withheld = [f for f in manifest["evidence"] if f.get("withheld")]
    assert len(withheld) == 1 and withheld[0]["kind"] == EvidenceKind.MESSAGE
    shared = next(f for f in manifest["evidence"] if f["name"] == "gps.jpg")
    data = archive.read(shared["path"])
    assert evidence.sha256(data) == shared["sha256"] != shared["original_sha256"]
    assert b"Exif" not in data[:200] and b"Exif" in evidence.read(shared["original_sha256"])[:200]
