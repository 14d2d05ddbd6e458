"""A reported page is captured once, on real loopback servers (allowed for these tests, as an
operator would allow a mirror): the exchange kept as WARC records that read back, the file
kept as evidence under its hash, the custody chain still whole, the page's title and text."""

import gzip
import io
import socket

import pytest
from django.test import override_settings
from warcio.archiveiterator import ArchiveIterator

from chinhthong.reports import capture, custody, evidence
from chinhthong.reports.models import Capture, CaptureStatus, EvidenceKind
from tests.loopback_http import FakeDNS, LoopbackHTTP

from .capture_servers import make_tls_files, serve_tls
from .helpers import report

pytestmark = pytest.mark.django_db

LOOPBACK = ["127.0.0.0/8"]
SENTENCE = "Tỉnh chưa hề có quyết định phong tỏa thành phố Hạ Long, người dân hãy bình tĩnh. "
PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Tin đồn phong tỏa</title>"
    "<meta property='og:title' content='Hạ Long sắp phong tỏa?'></head><body>"
    "<nav>Trang chủ | Tin tức</nav><article><h1>Hạ Long sắp phong tỏa?</h1>"
    f"<p>{SENTENCE * 4}</p><p>{SENTENCE * 3}</p></article></body></html>"
).encode()


@pytest.fixture
def server():
    with LoopbackHTTP() as running:
        yield running


def _reported(url: str, callbacks, claim="Tin đồn: tỉnh sắp phong tỏa toàn bộ thành phố Hạ Long"):
    with override_settings(REPORT_CAPTURE_LINKS=True), callbacks(execute=True):
        made = report(claim=claim, links=[url])
    link = made.links.get()
    return made, link, Capture.objects.get(link=link)


def _records(digest: str) -> list:
    out = []
    # Block and payload digests checked as each record is read (a mismatch raises).
    for record in ArchiveIterator(io.BytesIO(evidence.read(digest)), check_digests="raise"):
        body = record.content_stream().read()
        out.append((record.rec_type, record.rec_headers, record.http_headers, body))
    return out


@override_settings(FETCH_ALLOWED_NETWORKS=LOOPBACK)
def test_a_page_is_captured_as_warc_evidence_with_its_title_and_text(
    default_registry, server, django_capture_on_commit_callbacks
):
    server.route("/bai-viet?id=7", body=PAGE, headers={"Content-Type": "text/html; charset=utf-8"})
    url = server.url("/bai-viet?id=7")
    made, _link, record = _reported(url, django_capture_on_commit_callbacks)

    assert record.status == CaptureStatus.DONE and record.reason == ""
    assert (record.final_url, record.http_status, record.address) == (url, 200, "127.0.0.1")
    assert record.title == "Hạ Long sắp phong tỏa?"  # og:title before <title>
    assert SENTENCE.strip() in record.text and "Trang chủ" not in record.text
    assert record.tls_subject == "" and record.fetched_at is not None
    assert server.paths() == ["/bai-viet?id=7"]  # fetched once

    item = record.warc
    assert (item.kind, item.content_type) == (EvidenceKind.WARC, "application/warc")
    assert item.report == made
    on_disk = evidence.path_for(item.sha256).read_bytes()
    assert evidence.sha256(on_disk) == item.sha256 and len(on_disk) == item.size

    records = _records(item.sha256)
    assert [r[0] for r in records] == ["warcinfo", "response", "request"]
    _type, warc, http, body = records[1]
    assert body == PAGE and http.get_statuscode() == "200"
    assert warc.get_header("WARC-Target-URI") == url
    assert warc.get_header("WARC-IP-Address") == "127.0.0.1"
    assert warc.get_header("WARC-Date") == f"{record.fetched_at:%Y-%m-%dT%H:%M:%S.%f}Z"
    _type, request_warc, request_http, _body = records[2]
    assert request_http.protocol == "GET" and request_http.statusline.startswith("/bai-viet?id=7")
    assert request_http.get_header("User-Agent") == "chinhthong"
    assert request_warc.get_header("WARC-Concurrent-To") == warc.get_header("WARC-Record-ID")

    entry = made.case.custody.order_by("-seq").first()
    assert entry.action == "page_captured"
    assert entry.detail["sha256"] == item.sha256
    assert (entry.detail["final_url"], entry.detail["http_status"]) == (url, 200)
    assert entry.detail["fetched_at"] == record.fetched_at.isoformat()
    assert custody.verify(made.case) == []


@override_settings(FETCH_ALLOWED_NETWORKS=LOOPBACK)
def test_a_captured_link_is_not_fetched_again(
    default_registry, server, django_capture_on_commit_callbacks
):
    server.route("/bai", body=PAGE, headers={"Content-Type": "text/html"})
    made, link, _record = _reported(server.url("/bai"), django_capture_on_commit_callbacks)
    entries = made.case.custody.count()
    assert capture.capture(link.pk) == CaptureStatus.DONE
    assert len(server.requests) == 1 and made.case.custody.count() == entries


@override_settings(FETCH_ALLOWED_NETWORKS=LOOPBACK)
def test_each_redirect_hop_is_recorded(
    default_registry, server, django_capture_on_commit_callbacks
):
    server.route("/ngan", status=301, headers={"Location": "/trung-gian"})
    server.route("/trung-gian", status=302, headers={"Location": server.url("/bai")})
    server.route("/bai", body=PAGE, headers={"Content-Type": "text/html"})
    made, _link, record = _reported(server.url("/ngan"), django_capture_on_commit_callbacks)
    assert (record.status, record.final_url) == (CaptureStatus.DONE, server.url("/bai"))
    records = _records(record.warc.sha256)
    hops = [
        # a response's status code; a request's path
        (kind, warc.get_header("WARC-Target-URI"), http.get_statuscode())
        for kind, warc, http, _body in records[1:]
    ]
    assert hops == [
        ("response", server.url("/ngan"), "301"),
        ("request", server.url("/ngan"), "/ngan"),
        ("response", server.url("/trung-gian"), "302"),
        ("request", server.url("/trung-gian"), "/trung-gian"),
        ("response", server.url("/bai"), "200"),
        ("request", server.url("/bai"), "/bai"),
    ]
    entry = made.case.custody.order_by("-seq").first()
    assert entry.detail["redirects"] == [server.url("/ngan"), server.url("/trung-gian")]


@override_settings(FETCH_ALLOWED_NETWORKS=LOOPBACK)
def test_a_compressed_page_is_kept_decoded_and_says_how_it_came(
    default_registry, server, django_capture_on_commit_callbacks
):
    server.route(
        "/nen",
        body=gzip.compress(PAGE),
        headers={"Content-Type": "text/html", "Content-Encoding": "gzip"},
    )
    _made, _link, record = _reported(server.url("/nen"), django_capture_on_commit_callbacks)
    _type, _warc, http, body = _records(record.warc.sha256)[1]
    assert body == PAGE
    assert http.get_header("X-Archive-Orig-Content-Encoding") == "gzip"
    assert http.get_header("Content-Encoding") is None
    assert http.get_header("Content-Length") == str(len(PAGE))
    assert record.title == "Hạ Long sắp phong tỏa?"


@override_settings(FETCH_ALLOWED_NETWORKS=LOOPBACK)
def test_an_error_page_or_a_picture_is_captured_as_it_is(
    default_registry, server, django_capture_on_commit_callbacks
):
    server.route("/anh.png", body=b"\x89PNG\r\n\x1a\n....", headers={"Content-Type": "image/png"})
    _made, _link, record = _reported(server.url("/anh.png"), django_capture_on_commit_callbacks)
    assert (record.status, record.http_status, record.title, record.text) == ("done", 200, "", "")
    _made, _link, gone = _reported(
        server.url("/da-xoa"), django_capture_on_commit_callbacks, claim="Bài đã bị xóa khỏi trang"
    )
    assert (gone.status, gone.http_status) == (CaptureStatus.DONE, 404)
    assert _records(gone.warc.sha256)[1][3] == b"not found"


@override_settings(FETCH_ALLOWED_NETWORKS=LOOPBACK)
def test_a_network_failure_is_recorded_and_tried_again_later(
    default_registry, server, django_capture_on_commit_callbacks
):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    made, link, record = _reported(
        f"http://127.0.0.1:{port}/bai", django_capture_on_commit_callbacks
    )
    assert record.status == CaptureStatus.FAILED and record.reason
    assert record.warc is None
    entry = made.case.custody.order_by("-seq").first()
    assert (entry.action, entry.detail["code"]) == ("capture_failed", "unreachable")
    assert custody.verify(made.case) == []
    # A failure is not final: the next run fetches (and here the page is there).
    link.url = server.url("/bai")
    link.save()
    server.route("/bai", body=PAGE, headers={"Content-Type": "text/html"})
    assert capture.capture(link.pk) == CaptureStatus.DONE
    assert len(server.requests) == 1 and custody.verify(made.case) == []


def test_over_https_the_certificate_subject_is_kept(
    default_registry, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    host = "tin.quangninh.invalid"
    ca_file, cert_file, key_file = make_tls_files(tmp_path, host)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # httpx trusts our test authority
    FakeDNS(monkeypatch).add(host, ["127.0.0.1"])
    tls = LoopbackHTTP()
    serve_tls(tls, cert_file, key_file)
    tls.route("/bai", body=PAGE, headers={"Content-Type": "text/html"})
    url = f"https://{host}:{tls.port}/bai"
    with override_settings(FETCH_ALLOWED_NETWORKS=LOOPBACK), tls:
        made, _link, record = _reported(url, django_capture_on_commit_callbacks)
    assert record.status == CaptureStatus.DONE, record.reason
    assert record.tls_subject == f"C=VN, O=Báo Thử Nghiệm, CN={host}"
    assert tls.requests[0].headers["host"] == f"{host}:{tls.port}"
    _type, warc, _http, body = _records(record.warc.sha256)[1]
    assert (warc.get_header("WARC-Target-URI"), body) == (url, PAGE)
    assert made.case.custody.order_by("-seq").first().detail["tls_subject"] == record.tls_subject


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "text/html", ""])
def test_a_page_without_a_declared_charset_is_read_as_utf8(content_type):
    """Vietnamese titles come out whole whether the charset is in the header or nowhere."""
    page = PAGE.replace(b"<meta charset='utf-8'>", b"")
    found = capture.read_page(page, content_type, "https://baomoi.invalid/bai")
    assert found.title == "Hạ Long sắp phong tỏa?" and SENTENCE.strip() in found.text


def test_only_pages_are_read_for_text():
    assert capture.read_page(PAGE, "application/pdf", "https://x.invalid/") == capture.Page("", "")
