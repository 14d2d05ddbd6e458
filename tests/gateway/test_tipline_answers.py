"""The tipline answers a forwarded message with its verdict, the reasons, the real official
channel and what to do, in Vietnamese, through a real SMTP server on loopback: forwarded as
an attachment (the original judged as received) or quoted in the text (Gmail, Outlook; a
quoted sender is only a claim, and the answer says so)."""

import pytest
from django.utils.translation import gettext as _

from chinhthong.gateway import tipline
from chinhthong.gateway.models import Forwarded, TiplineMessage, TiplineStatus
from tests.gateway import tipline_helpers
from tests.gateway.tipline_helpers import (
    FORWARDER,
    PUBLIC_URL,
    TIPLINE,
    add,
    forward_as_attachment,
    forward_quoted_gmail,
    forward_quoted_outlook,
    nothing_forwarded,
    scam,
)

pytestmark = pytest.mark.django_db

IMPERSONATION = "Giả mạo — không phải kênh chính thống"
UNVERIFIED = "Không xác minh được — chưa nên tin"
REPORT_URL = f"{PUBLIC_URL}/bao-tin-gia/"
# Messages of the tipline's own (msgids: Vietnamese once the catalogue has them).
QUOTED_NOTE = (
    "You forwarded the message in the text of your mail. A copy in the text carries none of "
    "the proof of who sent it, so a sender shown in it is only a claim. To have the sender "
    "checked, forward the message as an attachment (Gmail: the ⋮ menu, “Forward as "
    "attachment”; Outlook: “More actions”, “Forward as attachment”; Thunderbird: “Forward "
    "As”, “Attachment”)."
)
DO_NOT = "Do not open its links or attachments, do not reply, and do not enter any information."

# The helpers' fixtures, used here by name.
mail = tipline_helpers.mail
maildir = tipline_helpers.maildir


def words(text: str) -> str:
    return " ".join(text.split())


def test_a_scam_forwarded_as_attachment_is_answered_with_verdict_reasons_and_real_channel(
    default_registry, maildir, mail
):
    forward = forward_as_attachment(scam(), message_id="<chuyen-tiep-1@example.vn>")
    add(maildir, forward)
    counts = tipline.answer_maildir(maildir)
    assert (counts.answered, counts.refused) == (1, 0)
    (reply,) = mail.wait_for(1)
    assert reply.recipients == [FORWARDER]
    message = reply.message
    assert message["From"].addresses[0].addr_spec == TIPLINE
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["In-Reply-To"] == "<chuyen-tiep-1@example.vn>"
    assert message["References"] == "<chuyen-tiep-1@example.vn>"
    assert IMPERSONATION in message["Subject"]
    text = words(reply.text())
    assert f"{_('Verdict:')} {IMPERSONATION}" in text
    # The reasons, in Vietnamese: the look-alike sender and the look-alike link.
    assert (
        "vanphong@quangninh-gov.vn thuộc quangninh-gov.vn, tên miền giả mạo quangninh.gov.vn"
        in text
    )
    assert "dichvucong-quangninh.com ghép tên của dichvucong.gov.vn" in text
    # The real channels, with their official addresses and their pages in the directory.
    assert (
        "Thư công vụ tỉnh Quảng Ninh (Ủy ban nhân dân tỉnh Quảng Ninh): @quangninh.gov.vn" in text
    )
    assert (
        "Cổng Dịch vụ công quốc gia (Văn phòng Chính phủ): dichvucong.gov.vn — https://dichvucong.gov.vn/"
        in text
    )
    assert f"{PUBLIC_URL}/danh-ba/kenh/mail-thu-cong-vu-quang-ninh/" in text
    # What to do: no clicking, and where to report.
    assert words(_(DO_NOT)) in text
    assert REPORT_URL in text
    assert words(_(QUOTED_NOTE)) not in text
    row = TiplineMessage.objects.get()
    assert (row.status, row.forwarded, row.verdict) == (
        TiplineStatus.REPLIED,
        Forwarded.ATTACHED,
        "impersonation",
    )
    assert row.reply_id == reply.message_id
    assert FORWARDER not in row.sender_hash  # the address itself is not kept


def test_an_official_sender_without_authentication_in_an_attachment_is_not_official(
    default_registry, maildir, mail
):
    official = scam(
        sender="Văn phòng UBND tỉnh <vanphong@quangninh.gov.vn>", link="https://quangninh.gov.vn/"
    )
    add(maildir, forward_as_attachment(official))
    tipline.answer_maildir(maildir)
    (reply,) = mail.wait_for(1)
    text = words(reply.text())
    assert f"{_('Verdict:')} {UNVERIFIED}" in text
    assert "Thư tự nhận được gửi từ vanphong@quangninh.gov.vn" in text
    assert "không thể xác minh điều đó" in text
    assert TiplineMessage.objects.get().verdict == "unknown"


def test_a_forward_quoted_by_gmail_in_vietnamese_is_judged_and_its_sender_only_a_claim(
    default_registry, maildir, mail
):
    add(maildir, forward_quoted_gmail())
    counts = tipline.answer_maildir(maildir)
    assert counts.answered == 1
    (reply,) = mail.wait_for(1)
    assert reply.recipients == ["binh@example.vn"]
    text = words(reply.text())
    assert f"{_('Verdict:')} {IMPERSONATION}" in text  # the look-alike link in the quote
    assert "dichvucong-quangninh.com ghép tên của dichvucong.gov.vn" in text
    # The quoted official sender is a claim, said twice: by the check and by the tipline.
    assert "Thư tự nhận được gửi từ vanphong@quangninh.gov.vn" in text
    assert words(_(QUOTED_NOTE)) in text
    assert f"{_('From:')} Văn phòng UBND tỉnh <vanphong@quangninh.gov.vn>" in text
    row = TiplineMessage.objects.get()
    assert (row.forwarded, row.verdict) == (Forwarded.QUOTED, "impersonation")


def test_a_forward_quoted_by_outlook_in_vietnamese_cannot_make_its_sender_official(
    default_registry, maildir, mail
):
    add(maildir, forward_quoted_outlook())
    tipline.answer_maildir(maildir)
    (reply,) = mail.wait_for(1)
    text = words(reply.text())
    assert f"{_('Verdict:')} {UNVERIFIED}" in text
    assert f"{_('Subject:')} Họp giao ban" in text
    assert words(_(QUOTED_NOTE)) in text
    assert "Chính thống" not in reply.message["Subject"]


def test_a_mail_that_forwards_nothing_is_told_how_to_forward(default_registry, maildir, mail):
    add(maildir, nothing_forwarded())
    counts = tipline.answer_maildir(maildir)
    assert counts.answered == 1
    (reply,) = mail.wait_for(1)
    assert reply.recipients == ["dung@example.vn"]
    text = words(reply.text())
    assert words(_("Gmail: open the message, the ⋮ menu, “Forward as attachment”.")) in text
    assert REPORT_URL in text
    assert reply.message["Auto-Submitted"] == "auto-replied"
    assert TiplineMessage.objects.get().forwarded == Forwarded.NONE


def _official_with_proof(authserv_id: str):
    official = scam(
        sender="Văn phòng UBND tỉnh <vanphong@quangninh.gov.vn>", link="https://quangninh.gov.vn/"
    )
    official["Authentication-Results"] = (
        f"{authserv_id}; spf=pass smtp.mailfrom=quangninh.gov.vn; dmarc=pass "
        "header.from=quangninh.gov.vn"
    )
    return official


@pytest.mark.parametrize("authserv_id", ["mx.forger.example", "mx.quangninh.gov.vn"])
def test_proof_written_into_a_forwarded_message_is_never_believed(
    default_registry, maildir, mail, authserv_id
):
    # The forwarder writes the attached message whole, its Authentication-Results too, even
    # under the province's own server name: a forged "official" must not come back.
    add(maildir, forward_as_attachment(_official_with_proof(authserv_id)))
    tipline.answer_maildir(maildir)
    (reply,) = mail.wait_for(1)
    assert f"{_('Verdict:')} {UNVERIFIED}" in words(reply.text())
    assert TiplineMessage.objects.get().verdict == "unknown"
