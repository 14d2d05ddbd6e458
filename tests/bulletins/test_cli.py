"""`chinhthong bulletins …` as an editor's script runs it: a Markdown file with front matter,
published, scheduled, corrected, cancelled; every problem of a file named by field and line;
exit status 2 on a refusal, with nothing stored."""

import datetime as dt
import zoneinfo

import pytest
from typer.testing import CliRunner

from chinhthong.accounts import roles
from chinhthong.accounts import services as accounts
from chinhthong.bulletins.models import Attachment, Bulletin, Status
from chinhthong.config import cli
from chinhthong.reach import organisation
from tests.bulletins.authoring_files import EXE, png
from tests.conftest import PASSWORD

cli._mount()
runner = CliRunner()
pytestmark = pytest.mark.django_db

BULLETIN = """---
title: Cảnh báo lừa đảo qua tin nhắn
summary: Không bấm vào đường link lạ.
urgency: khẩn
audience: tỉnh
tags: [Lừa đảo, an ninh mạng, lừa đảo]
sources:
  - title: Công an tỉnh Quảng Ninh
    url: https://congan.quangninh.gov.vn/
attachments: [ban-do.png]
---
Kẻ gian giả danh **ngân hàng** gửi tin nhắn.

![Nơi xảy ra](ban-do.png)
"""


def run(*args, user: str | None = "bientap"):
    env = {"COLUMNS": "200"}
    if user:
        env["CHINHTHONG_USER"] = user
    return runner.invoke(cli.app, ["bulletins", *args], env=env, catch_exceptions=False)


@pytest.fixture
def written(tmp_path):
    def write(text: str = BULLETIN, name: str = "ban-tin.md"):
        (tmp_path / "ban-do.png").write_bytes(png())
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


def test_publish_a_file(editor, written):
    result = run("publish", written())
    assert result.exit_code == 0, result.output
    bulletin = Bulletin.objects.get()
    assert result.stdout.strip() == (
        f"Đã đăng “Cảnh báo lừa đảo qua tin nhắn”: http://127.0.0.1:8000/ban-tin/{bulletin.slug}/"
    )
    version = bulletin.latest_version
    assert (bulletin.status, bulletin.urgency, bulletin.whole_province) == (
        Status.PUBLISHED,
        "urgent",
        True,
    )
    assert bulletin.tags == ["lừa đảo", "an ninh mạng"]
    assert version.summary == "Không bấm vào đường link lạ."
    assert version.sources == [
        {"title": "Công an tỉnh Quảng Ninh", "url": "https://congan.quangninh.gov.vn/"}
    ]
    picture = Attachment.objects.get()
    assert f'<img src="/ban-tin/tep/{picture.pk}/ban-do.png"' in version.body_html
    assert version.signature and version.created_by == editor
    assert {h.history_user for h in bulletin.history.all()} == {editor}


def test_a_dry_run_checks_everything_and_stores_nothing(editor, written):
    result = run("publish", written(), "--dry-run")
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    assert said == "Chạy thử: “Cảnh báo lừa đảo qua tin nhắn” sẽ được đăng. Không lưu gì."
    assert not Bulletin.objects.exists() and not Attachment.objects.exists()


def test_schedule_from_the_command_line(editor, written):
    result = run("publish", written(), "--schedule", "2099-12-06 07:00")
    assert result.exit_code == 0, result.output
    bulletin = Bulletin.objects.get()
    hanoi = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
    assert bulletin.status == Status.SCHEDULED
    assert bulletin.scheduled_for == dt.datetime(2099, 12, 6, 7, 0, tzinfo=hanoi)
    assert "lúc 07:00 06/12/2099" in result.stdout
    for when, message in (("mai 7 giờ", "2026-12-06 07:00"), ("2001-01-01 07:00", "tương lai")):
        refused = run("publish", written(), "--schedule", when)
        assert refused.exit_code == 2 and message in refused.stderr
    assert Bulletin.objects.count() == 1


BAD = """---
title: "  "
urgency: rất khẩn
audience: [CP, XX]
tags: 5
sources:
  - title: Bộ Y tế
    url: ftp://moh.gov.vn/
colour: đỏ
attachments: [khong-co.png]
---

Nội dung.

![Bản đồ](https://anh.example.com/ban-do.png)
"""


def test_bad_front_matter_is_refused_naming_each_field_and_its_line(editor, written):
    organisation.create_unit(code="CP", name="Cẩm Phả")
    result = run("publish", written(BAD))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Dòng 2, trường “title”: đang để trống.",
        "Dòng 3, trường “urgency”: hãy viết “bình thường” hoặc “khẩn” (normal, urgent).",
        "Dòng 4, trường “audience”: không có đơn vị nào mang mã XX.",
        "Dòng 5, trường “tags”: phải là danh sách.",
        "Dòng 6, trường “sources”: Nguồn 1: “ftp://moh.gov.vn/” không phải địa chỉ web bắt đầu "
        "bằng http:// hoặc https://.",
        "Dòng 9, trường “colour”: trường không xác định; các trường hợp lệ là title, summary, "
        "urgency, audience, tags, sources, attachments.",
        "Dòng 10, trường “attachments”: không có tệp “khong-co.png”.",
        "Dòng 15: ảnh “https://anh.example.com/ban-do.png” không phải tệp đính kèm của bản tin; "
        "hãy đính kèm ảnh rồi ghi tên tệp của nó.",
    ]
    assert not Bulletin.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Chỉ có nội dung.\n", "Dòng 1: tệp phải mở đầu bằng phần thông tin"),
        ("---\ntitle: A\n---\n\n", "Dòng 4: phần nội dung (sau phần thông tin) đang trống."),
        ("---\ntitle: [A\n---\nx\n", "Dòng 2: phần thông tin không phải YAML hợp lệ"),
        ("---\n- title\n---\nx\n", "Dòng 2: phần thông tin phải gồm các trường"),
        ("---\nsummary: A\n---\nx\n", "Dòng 1: phần thông tin thiếu trường “title”."),
        ("---\na: &a [x, x]\nb: *a\ntitle: A\n---\nx\n", "Dòng 2: phần thông tin không phải YAML"),
    ],
)
def test_files_without_usable_front_matter(editor, written, text, message):
    result = run("publish", written(text))
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not Bulletin.objects.exists()


def test_a_file_not_in_utf8(editor, tmp_path):
    path = tmp_path / "ban-tin.md"
    path.write_bytes("---\ntitle: Cảnh báo\n---\nNội dung\n".encode("utf-16"))
    result = run("publish", str(path))
    assert result.exit_code == 2 and "không phải văn bản UTF-8" in result.stderr


def test_a_hostile_attachment_stops_the_whole_bulletin(editor, written, tmp_path):
    (tmp_path / "huong-dan.pdf").write_bytes(EXE)
    text = BULLETIN.replace("attachments: [ban-do.png]", "attachments: [ban-do.png, huong-dan.pdf]")
    result = run("publish", written(text))
    assert result.exit_code == 2
    assert result.stderr.startswith("huong-dan.pdf: Tệp không thuộc loại được nhận")
    assert not Bulletin.objects.exists() and not Attachment.objects.exists()


def test_who_acts_must_be_named_and_be_an_editor(editor, written):
    accounts.create_user("canbo", PASSWORD, role=roles.STAFF)
    for user, message in (
        (None, "--as"),
        ("khong-co-ai", "Không có tài khoản đang hoạt động nào tên “khong-co-ai”."),
        ("canbo", "“canbo” không được viết bản tin"),
    ):
        result = run("publish", written(), user=user)
        assert result.exit_code == 2 and message in result.stderr, user
    result = runner.invoke(cli.app, ["bulletins", "publish", written(), "--as", "bientap"])
    assert result.exit_code == 0, result.output
    assert Bulletin.objects.get().created_by == editor


def test_list_show_correct_and_cancel(editor, written, tmp_path):
    assert run("publish", written()).exit_code == 0
    bulletin = Bulletin.objects.get()
    corrected = BULLETIN.replace("gửi tin nhắn.", "gửi tin nhắn và gọi điện.")
    correction = run(
        "correct", bulletin.slug, written(corrected, "sua.md"), "--significant",
        "--note", "Thêm cuộc gọi giả danh",
    )  # fmt: skip
    assert correction.exit_code == 0, correction.output
    assert "phiên bản 2, thay đổi quan trọng" in correction.stdout
    bulletin.refresh_from_db()
    assert (bulletin.read_from_version, bulletin.latest_version.change_note) == (
        2,
        "Thêm cuộc gọi giả danh",
    )
    assert Attachment.objects.count() == 1  # the same picture, listed again

    # Who it is for went out with the first version: a correction cannot change it.
    other = corrected.replace("urgency: khẩn", "urgency: bình thường")
    refused = run("correct", bulletin.slug, written(other, "sua2.md"), "--note", "Hạ mức khẩn")
    assert refused.exit_code == 2
    assert "Dòng 4, trường “urgency”: không thay đổi được khi bản tin đã đăng." in refused.stderr
    assert bulletin.versions.count() == 2

    listed = run("list")
    assert listed.exit_code == 0 and bulletin.slug in listed.stdout and "Đã đăng" in listed.stdout
    # Newest first, each address whole (the other commands take it) in a narrow terminal.
    later = BULLETIN.replace("Cảnh báo lừa đảo qua tin nhắn", "Lịch tiếp công dân tháng 12")
    assert run("publish", written(later, "lich.md")).exit_code == 0
    newest = Bulletin.objects.latest("pk")
    narrow = runner.invoke(cli.app, ["bulletins", "list", "--limit", "1"], env={"COLUMNS": "60"})
    assert newest.slug in narrow.stdout and bulletin.slug not in narrow.stdout
    shown = run("show", bulletin.slug)
    assert shown.exit_code == 0
    assert "phiên bản 2" in shown.stdout and "Thêm cuộc gọi giả danh" in shown.stdout
    assert "gửi tin nhắn và gọi điện." in shown.stdout
    assert run("show", "khong-co").exit_code == 2

    cancelled = run("cancel", bulletin.slug)
    assert cancelled.exit_code == 2 and "đính chính" in cancelled.stderr
    assert run("publish", written(), "--schedule", "2099-01-01 08:00").exit_code == 0
    scheduled = Bulletin.objects.get(status=Status.SCHEDULED)
    assert run("cancel", scheduled.slug).exit_code == 0
    scheduled.refresh_from_db()
    assert scheduled.status == Status.CANCELLED
    assert run("list", "--status", "cancelled").stdout.count(scheduled.slug) == 1
