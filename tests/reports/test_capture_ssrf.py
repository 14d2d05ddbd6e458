"""Server-side request forgery through reported links: a link to our own machine, the local
network or the cloud metadata service, a redirect into them, or a name that answers a loopback
address is refused — recorded as refused, in the custody log — and listeners on loopback,
counting what reaches them, receive nothing."""

import pytest
from django.test import override_settings

from chinhthong.reports import capture, custody
from chinhthong.reports.models import Capture, CaptureStatus
from tests.loopback_http import FakeDNS, LoopbackHTTP

from .capture_servers import LoopbackHTTP6
from .helpers import report

pytestmark = pytest.mark.django_db


@pytest.fixture
def inside():
    """What must stay out of reach: listeners on 127.0.0.1 and [::1]."""
    with LoopbackHTTP() as v4, LoopbackHTTP6() as v6:
        v4.route("/", body=b"secret")
        v6.route("/", body=b"secret")
        yield v4, v6


def _capture_of(url: str, callbacks) -> Capture:
    with override_settings(REPORT_CAPTURE_LINKS=True), callbacks(execute=True):
        made = report(claim="Tin đồn về một trang nội bộ của cơ quan", links=[url])
    return Capture.objects.get(link=made.links.get())


def _refused(record: Capture, code: str = "private_address") -> None:
    assert record.status == CaptureStatus.REFUSED
    assert record.reason and record.warc is None and record.http_status is None
    case = record.link.report.case
    entry = case.custody.order_by("-seq").first()
    assert (entry.action, entry.detail["code"]) == ("capture_refused", code)
    assert entry.detail["url"] == record.link.url
    assert custody.verify(case) == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{v4}/",
        "http://[::1]:{v6}/",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
    ],
    ids=["loopback", "ipv6-loopback", "private", "metadata"],
)
def test_links_to_local_and_private_addresses_are_refused_unfetched(
    default_registry, inside, url, django_capture_on_commit_callbacks
):
    v4, v6 = inside
    record = _capture_of(url.format(v4=v4.port, v6=v6.port), django_capture_on_commit_callbacks)
    _refused(record)
    assert v4.requests == [] and v6.requests == []
    # Refused is final: running the capture again fetches nothing either.
    assert capture.capture(record.link.pk) == CaptureStatus.REFUSED
    assert v4.requests == [] and v6.requests == []


def test_a_name_answering_a_loopback_address_is_refused(
    default_registry, inside, monkeypatch, django_capture_on_commit_callbacks
):
    v4, _v6 = inside
    FakeDNS(monkeypatch).add("tin-noi-bo.quangninh.invalid", ["127.0.0.1"])
    record = _capture_of(
        f"http://tin-noi-bo.quangninh.invalid:{v4.port}/", django_capture_on_commit_callbacks
    )
    _refused(record)
    assert v4.requests == []


@pytest.mark.parametrize(
    "location",
    ["http://127.0.0.1:{port}/", "http://169.254.169.254/latest/meta-data/"],
    ids=["to-loopback", "to-metadata"],
)
def test_a_redirect_to_a_private_address_is_refused(
    default_registry, inside, location, django_capture_on_commit_callbacks
):
    """The first hop is a server the operator allowed (a mirror on 127.0.0.2, standing for a
    public site); where it sends the fetch is not allowed."""
    v4, v6 = inside
    with (
        override_settings(FETCH_ALLOWED_NETWORKS=["127.0.0.2/32"]),
        LoopbackHTTP("127.0.0.2") as site,
    ):
        site.route("/bai", status=302, headers={"Location": location.format(port=v4.port)})
        record = _capture_of(site.url("/bai"), django_capture_on_commit_callbacks)
    _refused(record)
    assert site.paths() == ["/bai"]
    assert v4.requests == [] and v6.requests == []


def test_a_link_with_credentials_is_refused(
    default_registry, inside, django_capture_on_commit_callbacks
):
    v4, _v6 = inside
    with override_settings(FETCH_ALLOWED_NETWORKS=["127.0.0.0/8"]):
        record = _capture_of(
            f"http://quantri:matkhau@127.0.0.1:{v4.port}/", django_capture_on_commit_callbacks
        )
    _refused(record, "credentials")
    assert v4.requests == []
