"""The one outbound fetch (config/outbound.py) against real HTTP servers on loopback: what it
returns, what it refuses before sending anything (private and local addresses, a redirect into
the local network or to the cloud metadata service), and that it connects to the address it
vetted, whatever the name answers next."""

import gzip
import threading
import time

import pytest
from django.test import override_settings

from chinhthong.config import outbound
from tests.loopback_http import FakeDNS, LoopbackHTTP

LOOPBACK = ["127.0.0.0/8"]
PUBLIC = "93.184.216.34"  # a global address; never connected to by these tests


@pytest.fixture
def server():
    with LoopbackHTTP() as running:
        yield running


@pytest.fixture
def dns(monkeypatch):
    return FakeDNS(monkeypatch)


@override_settings(FETCH_ALLOWED_NETWORKS=LOOPBACK)
def test_an_answer_with_its_status_headers_body_and_final_address(server):
    server.route(
        "/tin.xml",
        body=b"<rss/>",
        headers={"ETag": '"v1"', "Last-Modified": "Tue, 01 Jul 2025 08:00:00 GMT"},
    )
    answer = outbound.fetch(server.url("/tin.xml"))
    assert (answer.status, answer.body) == (200, b"<rss/>")
    assert (answer.etag, answer.last_modified) == ('"v1"', "Tue, 01 Jul 2025 08:00:00 GMT")
    assert answer.url == server.url("/tin.xml") and answer.address == "127.0.0.1"
    assert server.requests[0].headers["user-agent"] == "chinhthong"


@override_settings(FETCH_ALLOWED_NETWORKS=LOOPBACK)
def test_conditional_headers_go_out_and_304_comes_back(server):
    def conditional(request, reply):
        unchanged = request.headers.get("if-none-match") == '"v1"'
        reply.send_response(304 if unchanged else 200)
        reply.send_header("ETag", '"v1"')
        reply.send_header("Content-Length", "0" if unchanged else "2")
        reply.end_headers()
        if not unchanged:
            reply.wfile.write(b"ok")

    server.route("/tin.xml", handler=conditional)
    first = outbound.fetch(server.url("/tin.xml"))
    again = outbound.fetch(
        server.url("/tin.xml"), etag=first.etag, last_modified="Tue, 01 Jul 2025 08:00:00 GMT"
    )
    assert (first.status, again.status, again.not_modified, again.body) == (200, 304, True, b"")
    assert server.requests[1].headers["if-modified-since"] == "Tue, 01 Jul 2025 08:00:00 GMT"


def test_loopback_is_refused_unless_allowed_and_nothing_is_sent(server):
    with pytest.raises(outbound.FetchError) as caught:
        outbound.fetch(server.url("/tin.xml"))
    assert caught.value.code == "private_address"
    # In the user's language (Vietnamese unless asked otherwise).
    assert str(caught.value) == (
        "Máy chủ 127.0.0.1 là địa chỉ riêng hoặc nội bộ (127.0.0.1); không tải gì từ đó."
    )
    assert server.requests == []


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.5",
        "192.168.1.1",
        "169.254.169.254",  # the cloud metadata service
        "100.100.100.200",  # another cloud's metadata service (shared address space)
        "0.0.0.0",  # noqa: S104 (Linux connects it to this machine)
        "::1",
        "fd00:ec2::254",
        "::ffff:127.0.0.1",  # IPv4 inside IPv6
        "64:ff9b::a9fe:a9fe",  # 169.254.169.254 through NAT64
        "64:ff9b:1::7f00:1",  # 127.0.0.1 through a local-use NAT64 prefix
        "::7f00:1",  # IPv4-compatible 127.0.0.1
        "::ffff:0:7f00:1",  # IPv4-translated 127.0.0.1
        "2002:7f00:1::1",  # 127.0.0.1 through 6to4
        "2002:a9fe:a9fe::1",  # the metadata service through 6to4
        "fec0::1",  # site-local
    ],
)
def test_a_name_answering_a_private_address_is_refused(dns, address):
    dns.add("tin.quangninh.invalid", [address])
    with pytest.raises(outbound.FetchError) as caught:
        outbound.vet("https://tin.quangninh.invalid/rss")
    assert caught.value.code == "private_address"
    assert caught.value.params["host"] == "tin.quangninh.invalid"


def test_one_private_address_among_public_ones_is_enough_to_refuse(dns):
    dns.add("tin.quangninh.invalid", [PUBLIC, "127.0.0.1"])
    with pytest.raises(outbound.FetchError) as caught:
        outbound.vet("https://tin.quangninh.invalid/rss")
    assert caught.value.params["address"] == "127.0.0.1"


def test_the_vetted_public_address_is_the_one_connected_to(dns):
    """DNS rebinding: the name answers a public address for the check and 127.0.0.1 next; the
    request is addressed to the vetted address, the name kept for Host and TLS."""
    dns.add("tin.quangninh.invalid", [PUBLIC], ["127.0.0.1"])
    target = outbound.vet("https://tin.quangninh.invalid:8443/rss?x=1")
    assert str(target.address) == PUBLIC
    assert target.pinned_url == f"https://{PUBLIC}:8443/rss?x=1"
    assert (target.host, target.host_header) == (
        "tin.quangninh.invalid",
        "tin.quangninh.invalid:8443",
    )
    assert dns.asked == ["tin.quangninh.invalid"]  # resolved once


@override_settings(FETCH_ALLOWED_NETWORKS=LOOPBACK)
def test_a_fetch_goes_to_the_vetted_address_even_when_the_name_stops_answering(server, dns):
    server.route("/rss", body=b"ok")
    dns.add("tin.quangninh.invalid", ["127.0.0.1"], [])  # then: no such name
    answer = outbound.fetch(server.url("/rss", host="tin.quangninh.invalid"))
    assert (answer.body, answer.address) == (b"ok", "127.0.0.1")
    assert server.requests[0].headers["host"] == f"tin.quangninh.invalid:{server.port}"


@override_settings(FETCH_ALLOWED_NETWORKS=LOOPBACK)
def test_redirects_are_followed_and_each_hop_vetted(server):
    server.route("/cu", status=301, headers={"Location": "/trung-gian"})
    server.route("/trung-gian", status=302, headers={"Location": server.url("/moi")})
    server.route("/moi", body=b"moi")
    answer = outbound.fetch(server.url("/cu"))
    assert (answer.status, answer.body, answer.url) == (200, b"moi", server.url("/moi"))
    assert answer.redirects == [server.url("/cu"), server.url("/trung-gian")]


@pytest.mark.parametrize(
    "location",
    ["http://127.0.0.1:{port}/noi-bo", "http://169.254.169.254/latest/meta-data/"],
    ids=["loopback", "metadata"],
)
def test_a_redirect_into_the_local_network_is_refused(location):
    """The first server is allowed (the organisation's mirror on 127.0.0.2); where it sends us
    is not."""
    with (
        override_settings(FETCH_ALLOWED_NETWORKS=["127.0.0.2/32"]),
        LoopbackHTTP() as inside,
        LoopbackHTTP(host="127.0.0.2") as mirror,
    ):
        inside.route("/noi-bo", body=b"secret")
        mirror.route("/rss", status=302, headers={"Location": location.format(port=inside.port)})
        with pytest.raises(outbound.FetchError) as caught:
            outbound.fetch(mirror.url("/rss"))
    assert caught.value.code == "private_address"
    assert inside.requests == []


@override_settings(FETCH_ALLOWED_NETWORKS=LOOPBACK)
def test_redirects_are_bounded(server):
    server.route("/vong", status=302, headers={"Location": "/vong"})
    with pytest.raises(outbound.FetchError) as caught:
        outbound.fetch(server.url("/vong"), max_redirects=3)
    assert caught.value.code == "too_many_redirects"
    assert len(server.requests) == 4
    not_followed = outbound.fetch(server.url("/vong"), max_redirects=0)
    assert not_followed.status == 302


@override_settings(FETCH_ALLOWED_NETWORKS=LOOPBACK)
@pytest.mark.parametrize("location", ["ftp://127.0.0.1/x", "file:///etc/passwd", "http://:80/"])
def test_a_redirect_to_something_not_http_is_refused(server, location):
    server.route("/rss", status=302, headers={"Location": location})
    with pytest.raises(outbound.FetchError) as caught:
        outbound.fetch(server.url("/rss"))
    assert caught.value.code == "bad_redirect"


@override_settings(FETCH_ALLOWED_NETWORKS=LOOPBACK)
def test_credentials_do_not_follow_a_redirect_to_another_origin(server):
    with LoopbackHTTP() as other:
        other.route("/api", body=b"{}")
        server.route("/api", status=307, headers={"Location": other.url("/api")})
        outbound.fetch(
            server.url("/api"),
            method="POST",
            json={"tin": "Tin mới"},
            headers={"Authorization": "Bearer bi-mat"},
        )
    assert server.requests[0].headers["authorization"] == "Bearer bi-mat"
    assert "authorization" not in other.requests[0].headers
    assert other.requests[0].method == "POST"  # 307 keeps the method and body
    assert other.requests[0].body == '{"tin": "Tin mới"}'.encode()


@override_settings(FETCH_ALLOWED_NETWORKS=LOOPBACK)
def test_a_303_after_a_post_is_a_get_without_the_body(server):
    server.route("/gui", status=303, headers={"Location": "/xong"})
    server.route("/xong", body=b"xong")
    answer = outbound.fetch(server.url("/gui"), method="POST", content=b"du lieu")
    assert answer.body == b"xong"
    assert (server.requests[1].method, server.requests[1].body) == ("GET", b"")


@override_settings(FETCH_ALLOWED_NETWORKS=LOOPBACK)
def test_the_size_is_capped_after_decompression(server):
    server.route("/lon", body=b"x" * 5000)
    bomb = gzip.compress(b"\0" * 5_000_000)  # about 5 KB on the wire
    server.route("/bom", body=bomb, headers={"Content-Encoding": "gzip"})
    assert outbound.fetch(server.url("/lon"), max_bytes=5000).body == b"x" * 5000
    for path, wire in (("/lon", 5000), ("/bom", len(bomb))):
        with pytest.raises(outbound.FetchError) as caught:
            outbound.fetch(server.url(path), max_bytes=4999)
        assert caught.value.code == "too_large" and caught.value.params["limit"] == 4999
        assert wire < 10_000


@override_settings(FETCH_ALLOWED_NETWORKS=LOOPBACK)
def test_the_whole_fetch_is_capped_in_time(server):
    """A server that sends a byte now and then, each within the read timeout, for ever."""

    def drip(request, reply):
        reply.send_response(200)
        reply.send_header("Content-Length", "1000")
        reply.end_headers()
        try:
            for _ in range(1000):
                reply.wfile.write(b"x")
                reply.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass  # the client gave up, as it should

    server.route("/nho-giot", handler=drip)
    with pytest.raises(outbound.FetchError) as caught:
        outbound.fetch(server.url("/nho-giot"), seconds=1)
    assert caught.value.code == "too_slow"


@override_settings(FETCH_ALLOWED_NETWORKS=LOOPBACK)
def test_a_server_that_stalls_is_given_up_on(server):
    stop = threading.Event()

    def stall(request, reply):
        reply.send_response(200)
        reply.send_header("Content-Length", "10")
        reply.end_headers()
        reply.wfile.write(b"x")
        reply.wfile.flush()
        stop.wait(30)  # then nothing, until the test ends

    server.route("/im-lang", handler=stall)
    try:
        with pytest.raises(outbound.FetchError) as caught:
            outbound.fetch(server.url("/im-lang"), seconds=60, idle_seconds=0.5)
    finally:
        stop.set()
    assert caught.value.code == "too_slow"
    assert str(caught.value) == f"{server.url('/im-lang')} không gửi gì trong 0.5 giây."


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://quangninh.gov.vn/tin", "invalid_url"),
        ("javascript:alert(1)", "invalid_url"),
        ("https://quangninh.gov.vn:99999/", "port_invalid"),
        ("https://nguoi:matkhau@quangninh.gov.vn/", "credentials"),
        ("http://" + "a" * 64 + ".invalid/", "unresolvable"),
    ],
)
def test_addresses_that_are_not_fetched(url, code):
    with pytest.raises(outbound.FetchError) as caught:
        outbound.fetch(url)
    assert caught.value.code == code


@override_settings(FETCH_ALLOWED_NETWORKS=LOOPBACK)
def test_retry_after_in_seconds_or_as_a_date(server):
    server.route("/ban", status=429, headers={"Retry-After": "120"})
    server.route("/bao-tri", status=503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert outbound.fetch(server.url("/ban")).retry_after == 120
    assert outbound.fetch(server.url("/bao-tri")).retry_after == 0  # a date already past


@override_settings(FETCH_ALLOWED_NETWORKS=LOOPBACK)
def test_a_server_that_closes_the_connection_is_an_error_not_a_crash(server):
    def hang_up(request, reply):
        reply.close_connection = True
        reply.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc")

    server.route("/dut", handler=hang_up)
    with pytest.raises(outbound.FetchError) as caught:
        outbound.fetch(server.url("/dut"))
    assert caught.value.code == "unreachable"
