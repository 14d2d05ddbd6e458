"""The capture of a reported page, as our fetcher saw it, kept as evidence (issue 12, item 2).

A link is fetched once, as the reporter gave it, through the shared outbound fetch
(config/outbound.py: resolved first, private and local addresses refused, every redirect
vetted again, the vetted address pinned, size and time capped). What came back is kept:

- every request and answer of the fetch, redirects included, as WARC records (warcio): a
  request and a response record per hop with WARC-Target-URI, WARC-Date and WARC-IP-Address,
  after a warcinfo record. The body is stored as read, decoded of its Content-Encoding; the
  header that named it is kept as ``X-Archive-Orig-Content-Encoding`` (and so is a
  Transfer-Encoding), and Content-Length gives the stored length, so the record reads back;
- the WARC as an Evidence row of the case (addressed by its SHA-256, like every file), and a
  ``page_captured`` custody entry naming its hash, the final URL, the status and the time;
- the page's title (og:title, else <title>) and its text (trafilatura, from the first
  ``MAX_EXTRACT_BYTES`` of the body, no network), the final URL, the HTTP status, the address
  connected to and, over https, the subject of the server's certificate.

A link the outbound rules refuse (a private address, a redirect into one…) is ``refused``
with the reason and a ``capture_refused`` custody entry; a network failure is ``failed`` (a
later run tries again). Nothing is raised to the task runner. A link already captured or
refused is not fetched again.
"""

import datetime as dt
import io
import logging
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
import trafilatura
from django.db import transaction
from django.utils import timezone
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from chinhthong.config import outbound
from chinhthong.reports import custody, evidence
from chinhthong.reports.models import (
    Capture,
    CaptureStatus,
    Evidence,
    EvidenceKind,
    ReportLink,
)

logger = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
SECONDS = 20.0  # a page that takes longer holds the task worker from other work
MAX_EXTRACT_BYTES = 2 * 1024 * 1024
MAX_TEXT_CHARS = 200_000
MAX_TITLE_CHARS = 500
WARC_TYPE = "application/warc"
# Refusals by our own rules (the link is not fetched, now or later); other errors are failures.
REFUSALS = {
    "private_address",
    "credentials",
    "invalid_url",
    "port_invalid",
    "insecure_redirect",
    "bad_redirect",
}
_FINISHED = {CaptureStatus.DONE, CaptureStatus.REFUSED}
_HTML_TYPES = ("text/html", "application/xhtml+xml", "")


@dataclass
class Page:
    title: str
    text: str


def capture(link_pk: int) -> str:
    """Capture the page of a reported link and return the capture's status. Never raises:
    whatever goes wrong is recorded as a failure."""
    try:
        return str(_capture(link_pk))  # a plain string: task results are stored as JSON
    except ReportLink.DoesNotExist:
        return ""
    except Exception as exc:  # a task must not die on one page; its reason is kept
        logger.exception("capture of link %s failed", link_pk)
        try:
            return str(_record_failure(link_pk, "internal", str(exc) or type(exc).__name__))
        except Exception:  # the database itself is failing: the next run tries again
            logger.exception("capture of link %s: the failure was not recorded", link_pk)
            return str(CaptureStatus.FAILED)


def _capture(link_pk: int) -> str:
    link = ReportLink.objects.select_related("report__case").get(pk=link_pk)
    record, _created = Capture.objects.get_or_create(link=link)
    if record.status in _FINISHED:
        return record.status
    try:
        fetched = outbound.fetch(link.url, max_bytes=MAX_BYTES, seconds=SECONDS)
    except outbound.FetchError as exc:
        if exc.code in REFUSALS:
            return _record_refusal(link, exc)
        return _record_failure(link_pk, exc.code, exc.message)
    return _record_capture(link, fetched)


# --- what came back ---------------------------------------------------------------------------
def _record_capture(link: ReportLink, fetched: outbound.Fetched) -> str:
    last = fetched.exchanges[-1]
    warc = warc_bytes(fetched.exchanges)
    digest = evidence.store(warc)
    page = read_page(fetched.body, fetched.headers.get("content-type", ""), fetched.url)
    with transaction.atomic():
        record = Capture.objects.select_for_update().get(link=link)
        if record.status in _FINISHED:  # another run got there first
            return record.status
        case = link.report.case
        item = Evidence.objects.create(
            case=case,
            report=link.report,
            kind=EvidenceKind.WARC,
            name=f"capture-{link.pk}-{last.at:%Y%m%dT%H%M%SZ}.warc",
            content_type=WARC_TYPE,
            size=len(warc),
            sha256=digest,
        )
        record.status = CaptureStatus.DONE
        record.reason = ""
        record.final_url = fetched.url[:2000]
        record.http_status = fetched.status
        record.title = page.title
        record.text = page.text
        record.tls_subject = last.tls_subject[:500]
        record.address = fetched.address
        record.fetched_at = last.at
        record.warc = item
        record.save()
        custody.append(
            case,
            "page_captured",
            {
                "link": link.pk,
                "url": link.url,
                "evidence": item.pk,
                "sha256": digest,
                "size": item.size,
                "final_url": fetched.url,
                "http_status": fetched.status,
                "address": fetched.address,
                "tls_subject": record.tls_subject,
                "fetched_at": last.at.isoformat(),
                "redirects": fetched.redirects,
            },
            actor=None,
        )
    return CaptureStatus.DONE


@transaction.atomic
def _record_refusal(link: ReportLink, error: outbound.FetchError) -> str:
    record = Capture.objects.select_for_update().get(link=link)
    record.status = CaptureStatus.REFUSED
    record.reason = error.message[:500]
    record.fetched_at = timezone.now()
    record.save()
    custody.append(
        link.report.case,
        "capture_refused",
        {"link": link.pk, "url": link.url, "code": error.code, "reason": record.reason},
        actor=None,
    )
    return CaptureStatus.REFUSED


@transaction.atomic
def _record_failure(link_pk: int, code: str, reason: str) -> str:
    link = ReportLink.objects.select_related("report__case").filter(pk=link_pk).first()
    if link is None:
        return ""
    record, _created = Capture.objects.select_for_update().get_or_create(link=link)
    if record.status in _FINISHED:
        return record.status
    record.status = CaptureStatus.FAILED
    record.reason = str(reason)[:500]
    record.fetched_at = timezone.now()
    record.save()
    custody.append(
        link.report.case,
        "capture_failed",
        {"link": link.pk, "url": link.url, "code": code, "reason": record.reason},
        actor=None,
    )
    return CaptureStatus.FAILED


# --- the page's title and text ----------------------------------------------------------------
def read_page(body: bytes, content_type: str, url: str) -> Page:
    """The title and main text of an HTML page (nothing for other types), read from at most
    MAX_EXTRACT_BYTES of it."""
    if content_type.split(";", 1)[0].strip().lower() not in _HTML_TYPES or not body:
        return Page("", "")
    html = _decoded(body[:MAX_EXTRACT_BYTES], content_type)
    try:
        text = trafilatura.extract(html, url=url, include_comments=False) or ""
    except Exception:  # a page trafilatura cannot read has no text, not a failed capture
        logger.warning("no text extracted from %s", url, exc_info=True)
        text = ""
    return Page(_title(html), text[:MAX_TEXT_CHARS])


def _decoded(head: bytes, content_type: str) -> str | bytes:
    """The page as text when its charset is known (from the header, else as UTF-8 if it
    decodes); else its bytes, for the parser to read the charset the page declares."""
    charset = ""
    for parameter in content_type.split(";")[1:]:
        name, _sep, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'")
    try:
        return head.decode(charset or "utf-8", errors="replace" if charset else "strict")
    except (LookupError, UnicodeDecodeError):  # an unknown charset, or not UTF-8
        return head


def _title(html: str | bytes) -> str:
    try:
        tree = lxml.html.fromstring(html)
    except ValueError:  # text that declares its encoding is read from its bytes
        try:
            tree = lxml.html.fromstring(html.encode() if isinstance(html, str) else html)
        except (lxml.etree.ParserError, ValueError):
            return ""
    except lxml.etree.ParserError:
        return ""
    found = tree.xpath("//meta[@property='og:title']/@content") or tree.xpath("//title/text()")
    title = " ".join(str(found[0]).split()) if found else ""
    return title[:MAX_TITLE_CHARS]


# --- the exchange as WARC records -------------------------------------------------------------
def warc_bytes(exchanges: list[outbound.Exchange]) -> bytes:
    """A WARC file (1.1, uncompressed) of ``exchanges``: a warcinfo record, then for each hop
    its response and the request it answered."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False, warc_version="1.1")
    writer.write_record(
        writer.create_warcinfo_record(
            "", {"software": "chinhthong", "format": "WARC File Format 1.1"}
        )
    )
    for exchange in exchanges:
        response = _response_record(writer, exchange)
        writer.write_record(response)
        writer.write_record(
            _request_record(writer, exchange, response.rec_headers.get_header("WARC-Record-ID"))
        )
    return out.getvalue()


def _warc_headers(exchange: outbound.Exchange, **more) -> dict:
    return {
        # warcio writes a naive time as UTC with a "Z".
        "WARC-Date": datetime_to_iso_date(
            exchange.at.astimezone(dt.UTC).replace(tzinfo=None), use_micros=True
        ),
        "WARC-IP-Address": exchange.address,
        **more,
    }


def _response_record(writer: WARCWriter, exchange: outbound.Exchange):
    headers = _stored_headers(exchange.headers, len(exchange.body))
    status = StatusAndHeaders(
        f"{exchange.status} {exchange.reason}".strip(),
        headers,
        protocol=exchange.http_version or "HTTP/1.1",
    )
    return writer.create_warc_record(
        exchange.url,
        "response",
        payload=io.BytesIO(exchange.body),
        length=len(exchange.body),
        http_headers=status,
        warc_headers_dict=_warc_headers(exchange),
    )


def _request_record(writer: WARCWriter, exchange: outbound.Exchange, response_id: str):
    parts = urlsplit(exchange.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    status = StatusAndHeaders(
        f"{exchange.method} {target} {exchange.http_version or 'HTTP/1.1'}",
        list(exchange.request_headers),
        is_http_request=True,
    )
    return writer.create_warc_record(
        exchange.url,
        "request",
        payload=io.BytesIO(exchange.request_body),
        length=len(exchange.request_body),
        http_headers=status,
        warc_headers_dict=_warc_headers(
            exchange,
            **{
                "WARC-Concurrent-To": response_id,
                "WARC-Record-ID": f"<urn:uuid:{uuid.uuid4()}>",
            },
        ),
    )


def _stored_headers(headers: list[tuple[str, str]], length: int) -> list[tuple[str, str]]:
    """The answer's headers for a body stored decoded: the encodings the body no longer has
    kept under X-Archive-Orig-, and its length as stored."""
    decoded = any(
        name.lower() in ("content-encoding", "transfer-encoding") for name, _value in headers
    )
    if not decoded:
        return list(headers)
    out = []
    for name, value in headers:
        if name.lower() in ("content-encoding", "transfer-encoding", "content-length"):
            out.append((f"X-Archive-Orig-{name}", value))
        else:
            out.append((name, value))
    out.append(("Content-Length", str(length)))
    return out
