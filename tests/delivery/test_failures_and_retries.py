"""What the SMTP server answers decides each row: 5xx permanent with its reply, 4xx and a server
that does not answer retried with a growing wait, a bounded number of times; and a retry never
sends anyone a second copy."""

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from chinhthong.delivery import queue, services
from chinhthong.delivery.cli import app as delivery_cli
from chinhthong.delivery.models import Channel, Delivery, Status
from tests.delivery.smtp_server import free_port
from tests.reach.factories import make_staff, make_tree, publish_bulletin

pytestmark = pytest.mark.django_db
ADDRESSES = [f"can-bo-{n}@quangninh.gov.vn" for n in range(6)]


@pytest.fixture
def staff():
    tree = make_tree()
    return [make_staff(tree["CP-CT"], f"Cán bộ số {n}", email=a) for n, a in enumerate(ADDRESSES)]


def row_of(address: str) -> Delivery:
    return Delivery.objects.get(channel=Channel.EMAIL, staff__email=address)


def test_a_5xx_is_a_permanent_failure_with_the_servers_reply(staff, mail, committed):
    mail.refuse(ADDRESSES[2], "550 5.1.1 <can-bo-2@quangninh.gov.vn>: Recipient address rejected")
    with committed():
        bulletin = publish_bulletin("Cảnh báo khẩn", urgent=True)
    assert sorted(r.recipients[0] for r in mail.received) == sorted(
        a for a in ADDRESSES if a != ADDRESSES[2]
    )
    refused = row_of(ADDRESSES[2])
    assert refused.status == Status.PERMANENT_FAILURE
    assert "550 5.1.1" in refused.reason and "Recipient address rejected" in refused.reason
    assert refused.attempts == 1 and refused.next_attempt_at is None
    assert mail.connections == 1  # the refusal did not cost the batch its connection
    status = CliRunner().invoke(delivery_cli, ["status", bulletin.slug])
    assert status.exit_code == 0 and "550 5.1.1" in status.output


def test_a_4xx_is_retried_after_a_growing_wait_and_sent_once(staff, mail, committed, settings):
    settings.DELIVERY_RETRY_SECONDS = 60
    mail.refuse(ADDRESSES[1], "451 4.3.0 Mailbox busy, try later", times=2)
    with committed():
        bulletin = publish_bulletin("Cảnh báo khẩn", urgent=True)
    first = row_of(ADDRESSES[1])
    assert first.status == Status.TEMPORARY_FAILURE and "451 4.3.0" in first.reason
    wait = (first.next_attempt_at - first.updated_at).total_seconds()
    assert 30 <= wait <= 60  # the first wait: half the base, plus up to half of it at random
    assert len(mail.received) == 5

    with committed():  # nothing is due yet: the sweep sends nothing
        assert queue.send_due(Channel.EMAIL) == {}
    with committed():
        result = CliRunner().invoke(delivery_cli, ["retry", bulletin.slug])
    assert result.exit_code == 0 and "1" in result.output
    second = row_of(ADDRESSES[1])
    assert second.status == Status.TEMPORARY_FAILURE and second.attempts == 2
    wait = (second.next_attempt_at - second.updated_at).total_seconds()
    assert 60 <= wait <= 120  # doubled

    with committed():
        services.retry_failed(bulletin)
    assert row_of(ADDRESSES[1]).status == Status.DELIVERED
    assert Counter(r.recipients[0] for r in mail.received) == Counter(ADDRESSES)  # once each


def test_attempts_are_bounded(staff, mail, committed, settings):
    settings.DELIVERY_MAX_ATTEMPTS = 2
    mail.refuse(ADDRESSES[0], "452 4.2.2 Mailbox full")
    with committed():
        bulletin = publish_bulletin("Cảnh báo khẩn", urgent=True)
    with committed():
        services.retry_failed(bulletin)
    row = row_of(ADDRESSES[0])
    assert row.status == Status.PERMANENT_FAILURE and row.attempts == 2
    assert row.reason.startswith("Đã dừng sau 2 lần thử") and "452 4.2.2" in row.reason
    with committed():
        assert services.retry_failed(bulletin) == 0


def test_a_server_that_does_not_answer_is_a_temporary_failure(staff, settings, committed, mail):
    settings.EMAIL_PORT = free_port()  # nobody listens there
    with committed():
        bulletin = publish_bulletin("Cảnh báo khẩn", urgent=True)
    rows = Delivery.objects.filter(channel=Channel.EMAIL)
    assert set(rows.values_list("status", flat=True)) == {Status.TEMPORARY_FAILURE}
    assert "Không kết nối được máy chủ thư" in rows.first().reason
    settings.EMAIL_PORT = mail.port  # the server is back
    with committed():
        services.retry_failed(bulletin)
    assert Counter(r.recipients[0] for r in mail.received) == Counter(ADDRESSES)


def test_a_killed_workers_rows_are_sent_by_another_after_its_lease(staff, mail, settings):
    settings.DELIVERY_LEASE_SECONDS = 1
    publish_without_workers()
    dead = queue.claim(Channel.EMAIL, "worker-that-died", size=4)  # claimed, then killed:
    assert len(dead) == 4
    assert queue.mark_handed_over(dead[0], "worker-that-died")  # one handed over and answered,
    assert queue.mark_handed_over(dead[1], "worker-that-died")  # and it died handing this one
    counts = queue.send_due(Channel.EMAIL)  # another worker, before the lease runs out
    assert counts == {Status.DELIVERED: 2} and len(mail.received) == 2
    _after_the_lease()
    counts = queue.send_due(Channel.EMAIL)
    assert counts == {Status.DELIVERED: 2}  # the two it never handed over
    answered = Delivery.objects.get(pk=dead[0].pk)
    assert answered.status == Status.DELIVERED  # settled, never sent again
    assert answered.reason == "Đã chuyển đi trước khi tiến trình gửi dừng; được ghi lại sau đó."
    unknown = Delivery.objects.get(pk=dead[1].pk)
    assert unknown.status == Status.TECHNICAL_FAILURE and "không rõ" in unknown.reason
    assert len(mail.received) == 4  # none twice, and neither of those two again
    assert len({r.recipients[0] for r in mail.received}) == 4


def test_a_worker_whose_lease_ran_out_never_sends_what_another_took(staff, mail, settings):
    settings.DELIVERY_LEASE_SECONDS = 1
    publish_without_workers()
    slow = queue.claim(Channel.EMAIL, "slow-worker")
    _after_the_lease()
    taken = queue.claim(Channel.EMAIL, "other-worker")
    assert {r.pk for r in taken} == {r.pk for r in slow}
    assert queue.send_batch(Channel.EMAIL, taken, "other-worker") == {Status.DELIVERED: 6}
    counts = queue.send_batch(Channel.EMAIL, slow, "slow-worker")  # the slow one wakes up
    assert counts == {"abandoned": 6}
    assert Counter(r.recipients[0] for r in mail.received) == Counter(ADDRESSES)
    assert set(Delivery.objects.filter(channel=Channel.EMAIL).values_list("status", flat=True)) == {
        Status.DELIVERED
    }


def publish_without_workers():
    """A published urgent bulletin whose rows are made but not sent (no worker ran)."""
    bulletin = publish_bulletin("Cảnh báo khẩn", urgent=True)
    services.fan_out(bulletin)
    return bulletin


def _after_the_lease() -> None:
    """Wait until a lease of one second has run out (the database's clock is the process's)."""
    import time

    end = timezone.now() + dt.timedelta(seconds=1.1)
    while timezone.now() < end:
        time.sleep(0.05)
