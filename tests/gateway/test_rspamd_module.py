"""The rspamd module (contrib/rspamd/) in Debian's real rspamd, against the real check service.

rspamd runs on loopback with its own copy of /etc/rspamd (tests/gateway/rspamd_server.py); the
module's two files are copied into it as an administrator copies them, with the site's values in
local.d/chinhthong.conf. `chinhthong serve` runs against its own database holding the default
registry. A DNS server on loopback publishes SPF and DMARC for quangninh.gov.vn, an official
mail domain of that registry, so rspamd computes SPF and DMARC itself: the module has to carry
its results to chinhthong (an official message is official only through them).

The service's failures and a hostile service are played by a stand-in HTTP server on loopback,
which also records what the module sends.
"""

import http.server
import json
import shutil
import threading
from pathlib import Path

import pytest

from tests import processes
from tests.gateway.rspamd_server import dns_server, make_config, rspamd_server

CONTRIB = Path(__file__).resolve().parents[2] / "contrib" / "rspamd"
AUTHSERV_ID = "mx.gateway.test.vn"
OFFICIAL_IP = "192.0.2.25"  # the one address quangninh.gov.vn's SPF permits
STRANGER_IP = "198.51.100.7"
ZONES = {
    "quangninh.gov.vn": f"v=spf1 ip4:{OFFICIAL_IP} -all",
    "_dmarc.quangninh.gov.vn": "v=DMARC1; p=reject",
}
OFFICIAL_MAIL = "mail-thu-cong-vu-quang-ninh"  # the registry's channel for @quangninh.gov.vn
# The start of a Windows program ("MZ"), base64: what a .pdf.exe really holds.
EXE = b"TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n"


def _message(sender: str, body: str = "Kính gửi các đồng chí.\r\n", head: str = "") -> bytes:
    return (
        f"{head}From: Văn phòng UBND <{sender}>\r\nTo: canbo@quangninh.gov.vn\r\n"
        "Subject: Thong bao\r\nDate: Mon, 01 Dec 2025 08:30:00 +0700\r\n"
        "Message-ID: <20261207083000.1@mail.test.vn>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        f"{body}"
    ).encode()


def _with_attachment(sender: str, filename: str) -> bytes:
    return (
        (
            f"From: Ho tro <{sender}>\r\nTo: canbo@quangninh.gov.vn\r\nSubject: Ho so\r\n"
            "Date: Mon, 01 Dec 2025 08:30:00 +0700\r\nMessage-ID: <2@mail.test.vn>\r\n"
            'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b0"\r\n\r\n'
            "--b0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nXem ho so dinh kem.\r\n"
            f"--b0\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
            f'Content-Disposition: attachment; filename="{filename}"\r\n\r\n'
        ).encode()
        + EXE
        + b"--b0--\r\n"
    )


def _smtp(ip: str, sender: str) -> dict:
    """What an MTA tells rspamd of the SMTP session (rspamd's protocol headers)."""
    return {"IP": ip, "From": sender, "Rcpt": "canbo@quangninh.gov.vn", "Helo": "mail.test.vn"}


def _install_module(confdir: Path, site_settings: str) -> None:
    """As README.md says: the module into plugins.d, its settings into modules.d, the site's
    own values into local.d."""
    (confdir / "plugins.d").mkdir(exist_ok=True)
    shutil.copy(CONTRIB / "chinhthong.lua", confdir / "plugins.d" / "chinhthong.lua")
    shutil.copy(CONTRIB / "chinhthong.conf", confdir / "modules.d" / "chinhthong.conf")
    (confdir / "local.d" / "chinhthong.conf").write_text(site_settings)


def _symbols(answer: dict) -> dict:
    return answer["symbols"]


def _chinhthong(answer: dict) -> set[str]:
    return {name for name in answer["symbols"] if name.startswith("CHINHTHONG_")}


@pytest.fixture(scope="module")
def zones():
    with dns_server(ZONES) as port:
        yield port


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """`chinhthong serve` with the default registry, and an API key for the gateway."""
    tmp = tmp_path_factory.mktemp("service")
    with processes.app_environment(tmp / "var") as env:
        made = processes.run(env, "setup")
        assert made.returncode == 0, made.stderr
        made = processes.run(env, "apikey", "create", "mail-gateway", "--rate", "100000/m")
        assert made.returncode == 0, made.stderr
        port = processes.free_port()
        serve = ["serve", "--port", str(port), "--workers", "1", "--no-task-worker"]
        with processes.started(env, *serve, log=tmp / "serve.log") as child:
            base = f"http://127.0.0.1:{port}"
            processes.wait_for_http(f"{base}/healthz", process=child)
            yield base, made.stdout.strip()


@pytest.fixture(scope="module")
def rspamd(service, zones, tmp_path_factory):
    base, key = service
    work = tmp_path_factory.mktemp("rspamd")
    confdir = make_config(work, zones)
    _install_module(
        confdir,
        f'url = "{base}/api/v1/check/email";\napi_key = "{key}";\n'
        f'authserv_id = "{AUTHSERV_ID}";\ntimeout = 30.0;\n'
        # a site's own score, merged over the shipped one
        "verdicts { suspicious { score = 6.5; } }\n",
    )
    with rspamd_server(confdir, work) as server:
        yield server


def test_forged_official_sender_is_impersonation(rspamd):
    sender = "vanthu@quangninh.gov.vn"
    answer = rspamd.check(_message(sender), **_smtp(STRANGER_IP, sender))
    symbols = _symbols(answer)
    assert "R_SPF_FAIL" in symbols and "DMARC_POLICY_REJECT" in symbols  # rspamd's own
    assert symbols["CHINHTHONG_IMPERSONATION"]["score"] == 12.0
    assert symbols["CHINHTHONG_IMPERSONATION"]["options"][0].startswith(OFFICIAL_MAIL)
    assert symbols["CHINHTHONG_FORGED_OFFICIAL_SENDER"]["options"] == ["quangninh.gov.vn"]
    assert "forged_official_sender" in symbols["CHINHTHONG_REASONS"]["options"]
    assert "CHINHTHONG_FAIL" not in symbols, rspamd.log_text()[-3000:]


def test_sender_field_claiming_a_pass_does_not_make_it_official(rspamd):
    """A forger's own Authentication-Results, under the gateway's name, sits below the one
    the module writes from rspamd's results: it proves nothing."""
    sender = "vanthu@quangninh.gov.vn"
    forged = (
        f"Authentication-Results: {AUTHSERV_ID}; spf=pass smtp.mailfrom={sender};\r\n"
        "\tdmarc=pass header.from=quangninh.gov.vn\r\n"
    )
    answer = rspamd.check(_message(sender, head=forged), **_smtp(STRANGER_IP, sender))
    assert "CHINHTHONG_IMPERSONATION" in _chinhthong(answer)
    assert "CHINHTHONG_OFFICIAL" not in _chinhthong(answer)


def test_official_message_is_official(rspamd):
    sender = "thongbao@quangninh.gov.vn"
    answer = rspamd.check(_message(sender), **_smtp(OFFICIAL_IP, sender))
    symbols = _symbols(answer)
    assert "R_SPF_ALLOW" in symbols and "DMARC_POLICY_ALLOW" in symbols
    assert _chinhthong(answer) == {"CHINHTHONG_OFFICIAL", "CHINHTHONG_REASONS"}
    assert symbols["CHINHTHONG_REASONS"]["options"] == ["official_mail_domain"]
    assert symbols["CHINHTHONG_OFFICIAL"]["score"] < 0
    assert symbols["CHINHTHONG_OFFICIAL"]["options"][0].startswith(OFFICIAL_MAIL)
    assert answer["action"] == "no action"


def test_pdf_exe_attachment_is_suspicious(rspamd):
    sender = "hotro@shop-example.com"
    answer = rspamd.check(_with_attachment(sender, "hoso.pdf.exe"), **_smtp(STRANGER_IP, sender))
    symbols = _symbols(answer)
    assert symbols["CHINHTHONG_SUSPICIOUS"]["score"] == 6.5  # the site's local.d score
    assert symbols["CHINHTHONG_DANGEROUS_ATTACHMENT"]["options"] == ["hoso.pdf.exe"]
    codes = symbols["CHINHTHONG_REASONS"]["options"]
    assert {"disguised_attachment", "dangerous_attachment"} <= set(codes)


def test_unconfirmed_official_sender_is_unknown_and_said_so(rspamd):
    """An official From without proof (rspamd found neither SPF nor DMARC for its domain):
    chinhthong cannot confirm it, and says so with a reason symbol; no score."""
    sender = "vanphong@moh.gov.vn"  # official; its domain publishes no SPF or DMARC here
    answer = rspamd.check(_message(sender), **_smtp(STRANGER_IP, sender))
    symbols = _symbols(answer)
    assert "R_SPF_NA" in symbols and "DMARC_NA" in symbols
    assert symbols["CHINHTHONG_UNKNOWN"]["score"] == 0
    assert "CHINHTHONG_UNCONFIRMED_OFFICIAL_SENDER" in symbols


def test_mail_from_authenticated_users_is_not_judged(rspamd):
    """Mail a user of this server submits after logging in is outgoing (check_authenticated)."""
    sender = "vanthu@quangninh.gov.vn"
    answer = rspamd.check(_message(sender), User="vanthu", **_smtp(STRANGER_IP, sender))
    assert _chinhthong(answer) == set()


# The service failing, or answering as no honest service does: a stand-in on loopback.


class _StandIn(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int):
        super().__init__(("127.0.0.1", port), _StandInHandler)
        self.answer: tuple[int, bytes] = (200, b"{}")
        self.hang = False
        self.released = threading.Event()
        self.requests: list[tuple[dict, bytes]] = []


class _StandInHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.requests.append((dict(self.headers), body))
        if self.server.hang:
            self.server.released.wait(120)  # past the module's timeout: it gives up first
            return
        status, content = self.server.answer
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def standin_port():
    return processes.free_port()


@pytest.fixture
def standin(standin_port):
    server = _StandIn(standin_port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.released.set()
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def rspamd_standin(standin_port, zones, tmp_path_factory):
    work = tmp_path_factory.mktemp("rspamd-standin")
    confdir = make_config(work, zones)
    _install_module(
        confdir,
        f'url = "http://127.0.0.1:{standin_port}/api/v1/check/email";\n'
        f'api_key = "gateway-key";\nauthserv_id = "{AUTHSERV_ID}";\ntimeout = 2.0;\n'
        "max_answer_size = 65536;\n",
    )
    with rspamd_server(confdir, work) as server:
        yield server


def _fails_open(server, message: bytes | None = None) -> dict:
    sender = "thongbao@quangninh.gov.vn"
    answer = server.check(message or _message(sender), **_smtp(OFFICIAL_IP, sender))
    assert _chinhthong(answer) == {"CHINHTHONG_FAIL"}, answer["symbols"]
    assert answer["symbols"]["CHINHTHONG_FAIL"]["score"] == 0
    assert answer["action"] not in ("reject", "soft reject")
    return answer["symbols"]["CHINHTHONG_FAIL"]


def test_module_sends_the_message_with_rspamds_authentication_on_top(rspamd_standin, standin):
    standin.answer = (200, json.dumps({"verdict": "unknown", "reasons": []}).encode())
    sender = "thongbao@quangninh.gov.vn"
    message = _message(sender)
    answer = rspamd_standin.check(message, **_smtp(OFFICIAL_IP, sender))
    assert _chinhthong(answer) == {"CHINHTHONG_UNKNOWN"}
    [(headers, body)] = standin.requests
    assert headers["X-API-Key"] == "gateway-key"
    assert headers["Content-Type"].startswith("message/rfc822")
    field, message_sent = body[: -len(message)], body[-len(message) :]
    assert message_sent == message  # nothing else changed
    assert field.replace(b"\r\n\t", b" ").decode() == (
        f"Authentication-Results: {AUTHSERV_ID}; spf=pass smtp.mailfrom={sender}; "
        "dmarc=pass header.from=quangninh.gov.vn\r\n"
    )


def test_service_stopped_fails_open(rspamd_standin, standin_port):
    # Nothing listens on the service's port: the stand-in is not started for this test.
    [why] = _fails_open(rspamd_standin)["options"]
    assert "refused" in why


def test_service_not_answering_in_time_fails_open(rspamd_standin, standin):
    standin.hang = True
    [why] = _fails_open(rspamd_standin)["options"]
    assert "timeout" in why


@pytest.mark.parametrize(
    "status, content, said",
    [
        (500, b'{"detail": "Internal error"}', "HTTP 500"),
        (401, b'{"detail": "The X-API-Key header names no active key."}', "HTTP 401"),
        (200, b"this is not JSON", "no verdict"),
        (200, b'{"verdict": "unknown", "reasons": [{"code": "x"', "not JSON"),
        (200, b'{"verdict": "hacked"}', "no verdict"),
        (200, b"[1, 2, 3]", "no verdict"),
        (200, b"[" * 100_000 + b"]" * 100_000, "too large"),  # past max_answer_size
        (200, b"[" * 30_000 + b"]" * 30_000, "not plain JSON"),  # too deep for the stack
        (200, b'{"verdict": "suspicious", # a comment hiding [[[[\n}', "not plain JSON"),
        (200, b'.include "/etc/passwd"', "not JSON"),  # macros are off
        (200, b"", "answered nothing"),
    ],
)
def test_hostile_answers_fail_open(rspamd_standin, standin, status, content, said):
    standin.answer = (status, content)
    [why] = _fails_open(rspamd_standin)["options"]
    assert said in why


def test_odd_but_valid_answer_is_read_as_far_as_it_makes_sense(rspamd_standin, standin):
    odd = {
        "verdict": "suspicious",
        "reasons": [
            "not an object",
            {"code": "dangerous_attachment\r\nX-Injected: 1", "params": {}},
            {"code": "dangerous_attachment", "params": {"name": "a\r\nb.exe" + "x" * 500}},
            {"code": 7},
        ],
        "lookalike_of": {"slug": ["not", "text"]},
        "parts": "nothing",
    }
    standin.answer = (200, json.dumps(odd).encode())
    sender = "thongbao@quangninh.gov.vn"
    answer = rspamd_standin.check(_message(sender), **_smtp(OFFICIAL_IP, sender))
    symbols = _symbols(answer)
    assert _chinhthong(answer) == {
        "CHINHTHONG_SUSPICIOUS",
        "CHINHTHONG_REASONS",
        "CHINHTHONG_DANGEROUS_ATTACHMENT",
    }
    assert symbols["CHINHTHONG_REASONS"]["options"] == ["dangerous_attachment"]
    [option] = symbols["CHINHTHONG_DANGEROUS_ATTACHMENT"]["options"]
    assert "\r" not in option and "\n" not in option and len(option) <= 100
