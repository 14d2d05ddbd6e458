"""What the feed-intake tests share: official channels in the registry (made through its
import), their domains answered by a resolver pointing at a real HTTP server on loopback, and
feeds to serve there."""

from chinhthong.bulletins import intake
from chinhthong.registry import importing
from tests.loopback_http import FakeDNS, LoopbackHTTP

CONGCHUC = "congchuc.quangninh.invalid"
TINHUY = "tinhuy.quangninh.invalid"
ELSEWHERE = "baokhac.invalid"  # no channel's domain
REGISTRY = {
    "agencies": [{"code": "so-thu", "name": "Sở thử nghiệm", "level": "province"}],
    "channels": [
        {
            "slug": "web-congchuc",
            "agency": "so-thu",
            "kind": "website",
            "name": "Cổng thông tin công chức",
            "url": f"https://{CONGCHUC}/",
            "host": CONGCHUC,
            "status": "active",
        },
        {
            "slug": "web-tinhuy",
            "agency": "so-thu",
            "kind": "website",
            "name": "Cổng thông tin Tỉnh ủy",
            "url": f"https://{TINHUY}/",
            "host": TINHUY,
            "status": "active",
        },
        {
            "slug": "web-cho-duyet",
            "agency": "so-thu",
            "kind": "website",
            "name": "Cổng chờ xét",
            "host": "cho.quangninh.invalid",
            "status": "pending_review",
        },
        {
            "slug": "fb-thu",
            "agency": "so-thu",
            "kind": "facebook_page",
            "name": "Trang Facebook thử",
            "facebook_username": "trangthu.quangninh",
            "status": "active",
        },
    ],
}


def rss(*items: tuple[str, str, str], pub_date: str = "Tue, 01 Jul 2025 08:00:00 GMT") -> bytes:
    """An RSS 2.0 feed of (title, link, description) items; the text is put in as XML."""
    entries = "".join(
        f"<item><title>{title}</title><link>{link}</link><description>{text}</description>"
        f"<pubDate>{pub_date}</pubDate></item>"
        for title, link, text in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Tin mới</title><link>https://{CONGCHUC}/</link><description>Tin</description>"
        f"{entries}</channel></rss>"
    ).encode()


def atom(*items: tuple[str, str, str]) -> bytes:
    entries = "".join(
        f"<entry><title>{title}</title><link href='{link}'/><id>{link}</id>"
        f"<updated>2025-07-01T08:00:00Z</updated><summary>{text}</summary></entry>"
        for title, link, text in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Tin Tỉnh ủy</title><id>https://{TINHUY}/</id>"
        f"<updated>2025-07-01T08:00:00Z</updated>{entries}</feed>"
    ).encode()


class IntakeEnv:
    """The registry's channels, their domains resolved to 127.0.0.1 (allowed for the test),
    and the server that answers for them."""

    def __init__(self, monkeypatch, settings):
        settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
        self.dns = FakeDNS(monkeypatch)
        for host in (CONGCHUC, TINHUY, ELSEWHERE):
            self.dns.add(host, ["127.0.0.1"])
        self.server = LoopbackHTTP()
        importing.import_registry(REGISTRY)

    def url(self, path: str, host: str = CONGCHUC) -> str:
        return self.server.url(path, host=host)

    def source(self, path: str, *, host=CONGCHUC, channel="web-congchuc", **options):
        """A feed source at ``path`` of the server, registered through the service."""
        return intake.add_source(
            channel_slug=channel, url=self.url(path, host), actor=None, **options
        )

    def __enter__(self) -> "IntakeEnv":
        self.server.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.server.__exit__(*exc)


def conditional(body: bytes, *, etag: str, last_modified: str, content_type: str):
    """A route handler as a well-behaved feed server answers: 304 to a request that names
    the current ETag or a Last-Modified date, the body otherwise."""

    def answer(request, reply):
        unchanged = (
            request.headers.get("if-none-match") == etag
            or request.headers.get("if-modified-since") == last_modified
        )
        reply.send_response(304 if unchanged else 200)
        reply.send_header("ETag", etag)
        reply.send_header("Last-Modified", last_modified)
        reply.send_header("Content-Type", content_type)
        reply.send_header("Content-Length", "0" if unchanged else str(len(body)))
        reply.end_headers()
        if not unchanged:
            reply.wfile.write(body)

    return answer
