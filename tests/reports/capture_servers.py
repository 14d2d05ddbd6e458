"""Loopback servers the capture tests need beyond tests/loopback_http.py: one listening on the
IPv6 loopback ([::1]), and HTTPS with a certificate from a test authority of our own (trusted
by the fetch through SSL_CERT_FILE, which httpx reads)."""

import datetime as dt
import ipaddress
import socket
import ssl
import threading
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.loopback_http import LoopbackHTTP, _Handler, _Server


class _Server6(_Server):
    address_family = socket.AF_INET6


class LoopbackHTTP6(LoopbackHTTP):
    """LoopbackHTTP on [::1]."""

    def __init__(self):
        self.host = "::1"
        self.routes = {}
        self.requests = []
        self._server = _Server6(("::1", 0), _Handler)
        self._server.owner = self
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or '[::1]'}:{self.port}{path}"


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _certificate(subject, issuer, public_key, signing_key, *, ca: bool, names=()):
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        ).add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    else:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(list(names)), critical=False
        ).add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
    return builder.sign(signing_key, hashes.SHA256())


def make_tls_files(directory: Path, host: str) -> tuple[Path, Path, Path]:
    """A test authority and a certificate for ``host`` (and 127.0.0.1) it signed: the
    authority's PEM, the server's certificate and its key."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Chinhthong Test CA", "Chinhthong Test")
    ca_cert = _certificate(ca_name, ca_name, ca_key.public_key(), ca_key, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName(host), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = _certificate(
        _name(host, "Báo Thử Nghiệm"), ca_name, key.public_key(), ca_key, ca=False, names=names
    )
    ca_file, cert_file, key_file = (
        directory / "ca.pem",
        directory / "server.pem",
        directory / "server.key",
    )
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file


def serve_tls(server: LoopbackHTTP, cert_file: Path, key_file: Path) -> None:
    """Make ``server`` (not yet started) answer over TLS."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server._server.socket = context.wrap_socket(server._server.socket, server_side=True)
