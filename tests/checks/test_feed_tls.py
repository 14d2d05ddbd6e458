"""A feed over HTTPS is downloaded from the address that was vetted, yet TLS still speaks to the
feed's name: SNI carries it and the certificate is checked against it, not against the address.
A real TLS server on loopback, with a certificate authority made for the test."""

import datetime as dt
import http.server
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.test import override_settings

from chinhthong.checks import blocklists

BODY = b"scam.example.top\n"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject, issuer, key, signing_key, *, ca: bool, dns: str | None = None):
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if dns:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(dns)]), critical=False
        )
    return builder.sign(signing_key, hashes.SHA256())


class _Handler(http.server.BaseHTTPRequestHandler):
    hosts: list[str] = []

    def do_GET(self):
        _Handler.hosts.append(self.headers["Host"])
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args):
        pass


@pytest.fixture
def tls_feed(tmp_path, monkeypatch):
    """Start an HTTPS feed whose certificate names ``certified``; the test's CA is trusted
    through SSL_CERT_FILE (as an operator behind its own CA would set it)."""
    servers = []

    def start(certified: str):
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca = _certificate("Test CA", "Test CA", ca_key, ca_key, ca=True)
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _certificate(certified, "Test CA", key, ca_key, ca=False, dns=certified)
        (tmp_path / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        (tmp_path / "server.pem").write_bytes(
            cert.public_bytes(serialization.Encoding.PEM)
            + key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(tmp_path / "server.pem")
        names: list[str | None] = []
        context.sni_callback = lambda _sock, name, _ctx: names.append(name)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server.server_port, names

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@override_settings(FETCH_ALLOWED_NETWORKS=["127.0.0.0/8"])
def test_https_feed_is_fetched_from_the_vetted_address_by_its_name(tls_feed, rebinding_dns):
    port, names = tls_feed("feed.invalid")
    _Handler.hosts = []
    assert blocklists.download(f"https://feed.invalid:{port}/feed.txt") == BODY
    assert names == ["feed.invalid"]  # SNI named the feed, not 127.0.0.1
    assert _Handler.hosts == [f"feed.invalid:{port}"]


@override_settings(FETCH_ALLOWED_NETWORKS=["127.0.0.0/8"])
def test_a_certificate_for_another_name_is_refused(tls_feed, rebinding_dns):
    port, _names = tls_feed("other.invalid")
    _Handler.hosts = []
    with pytest.raises(blocklists.BlocklistError) as caught:
        blocklists.download(f"https://feed.invalid:{port}/feed.txt")
    assert "hostname mismatch" in str(caught.value).lower()  # trusted CA, wrong name
    assert _Handler.hosts == []  # nothing was asked of a server that could not prove its name
