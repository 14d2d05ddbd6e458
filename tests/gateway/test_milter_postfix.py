"""End to end through a real Postfix from Debian on loopback: messages sent with smtplib pass
`chinhthong milter` and arrive in a Maildir marked as their verdicts call for; with the engine
stopped, or the milter gone, mail still flows."""

import contextlib
import email.policy
import email.utils
import os
import signal
import smtplib
import socket
import time
from email.message import EmailMessage

import pytest

from tests import processes
from tests.gateway.postfix_server import running_postfix

GATEWAY = "mx.gateway.test"  # the test Postfix's host name: its authserv-id
OFFICIAL_FROM = "Văn phòng UBND tỉnh <vanphong@quangninh.gov.vn>"
PE_FILE = b"MZ\x90\x00" + b"\0" * 56 + b"\x80\0\0\0" + b"\0" * 64 + b"PE\0\0" + b"\0" * 200


@contextlib.contextmanager
def running_milter(tmp_path, *options: str):
    port = processes.free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHINHTHONG_", "DJANGO_"))}
    env["CHINHTHONG_VAR_DIR"] = str(tmp_path / "var")  # no database: the packaged registry
    log = tmp_path / "milter.log"
    args = ("milter", "--listen", f"inet:{port}@127.0.0.1", *options)
    with processes.started(env, *args, log=log) as milter:
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 2):
                break
            assert milter.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        milter.address = f"inet:127.0.0.1:{port}"
        milter.log_path = log
        yield milter


def message(sender: str, subject: str, text: str, *, auth: str | None = None, **extra):
    mail = EmailMessage()
    if auth:
        mail["Authentication-Results"] = auth
    mail["From"] = sender
    mail["To"] = "canbo@quangninh.gov.vn"
    mail["Subject"] = subject
    mail["Message-ID"] = email.utils.make_msgid(domain="test.invalid")
    mail["Date"] = email.utils.formatdate(localtime=True)
    for name, value in extra.items():
        mail[name.replace("_", "-")] = value
    mail.set_content(text)
    mail.add_alternative(f"<p>{text}</p>", subtype="html")
    return mail


def send(server, *messages) -> None:
    with smtplib.SMTP("127.0.0.1", server.port, timeout=120) as client:
        for mail in messages:
            mail.sent = mail.as_bytes()  # the boundary is chosen once, here
            client.sendmail("envoi@example.org", ["canbo@quangninh.gov.vn"], mail.sent)


def by_id(delivered) -> dict:
    return {mail["Message-ID"]: mail for mail in delivered}


def arrived(server, message_id: str, timeout: float = 90.0):
    """The delivered message with this Message-ID, once it is in the Maildir."""
    deadline = time.monotonic() + timeout
    while True:
        found = by_id(server.wait_for(1)).get(message_id)
        if found is not None:
            return found
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.1)


def texts(mail) -> tuple[str, str]:
    plain = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    return plain, html


def test_forged_senders_and_a_disguised_program_are_marked_official_mail_untouched(tmp_path):
    spoof = message(
        '"UBND tỉnh Quảng Ninh" <ubnd.quangninh@gmail.com>',
        "Thông báo khẩn về hồ sơ",
        "Anh chị bấm vào liên kết để cập nhật hồ sơ.",
        X_Chinhthong_Verdict="official",  # a forger's pre-stamp: must not survive
    )
    forged = message(
        OFFICIAL_FROM,
        "Giấy mời họp",
        "Kính mời đồng chí dự họp.",
        auth=f"{GATEWAY}; spf=fail smtp.mailfrom=quangninh.gov.vn; dmarc=fail "
        "header.from=quangninh.gov.vn",
    )
    program = message("Nguyễn Văn A <nva@example.com>", "Hồ sơ", "Gửi anh hồ sơ.")
    program.add_attachment(
        PE_FILE, maintype="application", subtype="pdf", filename="ho-so-moi.pdf.exe"
    )
    official = message(
        OFFICIAL_FROM,
        "Lịch công tác tuần",
        "Văn phòng gửi lịch công tác tuần.",
        auth=f"{GATEWAY}; spf=pass smtp.mailfrom=quangninh.gov.vn; dkim=pass "
        "header.d=quangninh.gov.vn; dmarc=pass header.from=quangninh.gov.vn",
    )
    # The same proof written under another server's name proves nothing.
    claimed = message(
        OFFICIAL_FROM,
        "Lịch công tác",
        "Lịch công tác.",
        auth="mx.attacker.example; dmarc=pass header.from=quangninh.gov.vn",
    )
    options = ("--authserv-id", GATEWAY)  # as if an authenticating milter ran before
    with running_milter(tmp_path, *options) as milter, running_postfix(milter.address) as server:
        send(server, spoof, forged, program, official, claimed)
        delivered = by_id(server.wait_for(5))

    got = delivered[spoof["Message-ID"]]
    assert got.get_all("X-Chinhthong-Verdict") == ["impersonation"]
    assert "display_name" in got["X-Chinhthong-Reasons"]
    assert got["Subject"] == "[CẢNH BÁO: giả mạo] Thông báo khẩn về hồ sơ"
    plain, html = texts(got)
    assert plain.startswith("[CẢNH BÁO: giả mạo]")
    assert "Thư công vụ tỉnh Quảng Ninh" in plain  # the real channel
    assert plain.rstrip().endswith("Anh chị bấm vào liên kết để cập nhật hồ sơ.")
    assert "[CẢNH BÁO: giả mạo]" in html

    got = delivered[forged["Message-ID"]]
    assert got["X-Chinhthong-Verdict"] == "impersonation"
    assert "forged_official_sender" in got["X-Chinhthong-Reasons"]
    assert got["Subject"].startswith("[CẢNH BÁO: giả mạo]")

    got = delivered[program["Message-ID"]]
    assert got["X-Chinhthong-Verdict"] == "suspicious"
    assert "disguised_attachment" in got["X-Chinhthong-Reasons"]
    assert got["Subject"] == "[CẢNH BÁO: nguy hiểm] Hồ sơ"
    assert texts(got)[0].startswith("[CẢNH BÁO: nguy hiểm]")
    attached = next(got.iter_attachments())
    assert attached.get_filename() == "ho-so-moi.pdf.exe"
    assert attached.get_content() == PE_FILE  # the evidence is left as it came

    got = delivered[official["Message-ID"]]
    assert got["X-Chinhthong-Verdict"] == "official"
    assert got["Subject"] == official["Subject"]
    sent = official.sent.split(b"\n\n", 1)[1].replace(b"\r\n", b"\n")
    arrived = got.as_bytes().split(b"\n\n", 1)[1].replace(b"\r\n", b"\n")
    # Untouched but for the header (the Maildir file ends with a line break of its own).
    assert arrived.rstrip(b"\n") == sent.rstrip(b"\n")

    got = delivered[claimed["Message-ID"]]
    assert got["X-Chinhthong-Verdict"] == "unknown"
    assert "unauthenticated_sender" in got["X-Chinhthong-Reasons"]


def _engine_workers(milter) -> list[int]:
    return processes.left_in_session(milter.pid)


def test_with_the_engine_stopped_mail_flows_marked_unchecked(tmp_path):
    with (
        running_milter(tmp_path, "--workers", "1", "--deadline", "3") as milter,
        running_postfix(milter.address) as server,
    ):
        workers = _engine_workers(milter)
        assert workers
        for pid in workers:
            os.kill(pid, signal.SIGSTOP)  # the engine stops answering
        stopped = message('"UBND tỉnh" <ubnd.quangninh@gmail.com>', "Khẩn", "Bấm vào đây.")
        send(server, stopped)
        (got,) = server.wait_for(1)
        assert got["X-Chinhthong-Verdict"] == "unchecked"
        assert got["X-Chinhthong-Reasons"] == "deadline"
        assert got["Subject"] == "Khẩn"  # passed as it came
        # The stopped worker was replaced: mail is judged again.
        deadline = time.monotonic() + 120
        while True:
            again = message('"UBND tỉnh" <ubnd.quangninh@gmail.com>', "Khẩn 2", "Bấm vào.")
            send(server, again)
            latest = arrived(server, again["Message-ID"])
            if latest["X-Chinhthong-Verdict"] == "impersonation":
                break
            assert time.monotonic() < deadline, milter.log_path.read_text()
            time.sleep(1)
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


def test_with_the_milter_gone_mail_still_flows(tmp_path):
    with running_milter(tmp_path) as milter:
        address = milter.address
    with running_postfix(address) as server:
        send(server, message("A <a@example.com>", "Chào", "Xin chào."))
        (got,) = server.wait_for(1)
    assert got["Subject"] == "Chào"
    assert got["X-Chinhthong-Verdict"] is None  # Postfix's milter_default_action = accept


def test_quarantine_and_refusal_by_policy(tmp_path):
    spoof = message('"UBND tỉnh Quảng Ninh" <ubnd.quangninh@gmail.com>', "Khẩn", "Bấm vào.")
    program = message("Nguyễn Văn A <nva@example.com>", "Hồ sơ", "Gửi anh hồ sơ.")
    program.add_attachment(PE_FILE, maintype="application", subtype="pdf", filename="a.pdf.exe")
    plain = message("B <b@example.com>", "Chào", "Xin chào.")
    options = ("--quarantine", "impersonation", "--reject", "suspicious")
    with running_milter(tmp_path, *options) as milter, running_postfix(milter.address) as server:
        send(server, spoof)
        with pytest.raises(smtplib.SMTPDataError) as refused:
            send(server, program)
        send(server, plain)
        (got,) = server.wait_for(1)
        deadline = time.monotonic() + 60
        while not server.held() and time.monotonic() < deadline:
            time.sleep(0.2)
        held = server.held()
    assert refused.value.smtp_code == 550
    assert b"5.7.1" in refused.value.smtp_error
    assert got["Subject"] == "Chào"
    assert len(held) == 1, server.log()


SPOOF_FROM = '"UBND tỉnh Quảng Ninh" <ubnd.quangninh@gmail.com>'


def test_attacks_on_the_marks(tmp_path):
    # Proof written by the sender under the gateway's own name, with no authenticating milter
    # configured (no --authserv-id): it proves nothing.
    claimed = message(
        OFFICIAL_FROM,
        "Lịch công tác",
        "Lịch công tác.",
        auth=f"{GATEWAY}; spf=pass smtp.mailfrom=quangninh.gov.vn; dmarc=pass "
        "header.from=quangninh.gov.vn",
    )
    # A forged stamp hidden after ten thousand header fields.
    buried = message(SPOOF_FROM, "Khẩn", "Bấm vào đây.")
    for number in range(10_050):
        buried[f"X-A{number % 10}"] = "1"
    buried["X-Chinhthong-Verdict"] = "official"
    # A megabyte of text "in punycode", slow to decode, to run the check past its deadline.
    slow = EmailMessage()
    slow["From"] = SPOOF_FROM
    slow["To"] = "canbo@quangninh.gov.vn"
    slow["Subject"] = "Khẩn"
    slow["Message-ID"] = email.utils.make_msgid(domain="test.invalid")
    slow.set_content(("x" * 75 + "\n") * 14_000, charset="punycode", cte="7bit")
    # A subject that decodes to a line break and a header of the attacker's.
    # (compat32: the header as written, not decoded by the test's own message class).
    injected = email.message_from_bytes(
        b"From: =?utf-8?q?UBND_t=E1=BB=89nh_Qu=E1=BA=A3ng_Ninh?= <ubnd.quangninh@gmail.com>\r\n"
        b"To: canbo@quangninh.gov.vn\r\nMessage-ID: <subject-injection@test.invalid>\r\n"
        b"Subject: =?us-ascii?q?Hello=0AX-Evil:_1?=\r\n\r\nBam vao day.\r\n",
        policy=email.policy.compat32,
    )
    with (
        running_milter(tmp_path, "--deadline", "10") as milter,
        running_postfix(milter.address) as server,
    ):
        send(server, claimed, buried, slow, injected)
        delivered = by_id(server.wait_for(4))

    got = delivered[claimed["Message-ID"]]
    assert got["X-Chinhthong-Verdict"] == "unknown"
    assert "unauthenticated_sender" in got["X-Chinhthong-Reasons"]
    assert delivered[buried["Message-ID"]].get_all("X-Chinhthong-Verdict") == ["impersonation"]
    assert delivered[slow["Message-ID"]]["X-Chinhthong-Verdict"] == "impersonation"
    got = delivered[injected["Message-ID"]]
    assert got["X-Evil"] is None
    assert got["Subject"] == "[CẢNH BÁO: giả mạo] Hello X-Evil: 1"
