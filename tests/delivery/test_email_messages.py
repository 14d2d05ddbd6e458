"""What a staff member's email looks like when it arrives: their name in the greeting and the
To field as written (escaped in HTML), their own links, a Message-ID that names the delivery
and stays the same on every attempt, and nothing that loads from elsewhere."""

import pytest
from django.core import mail as django_mail

from chinhthong.delivery import messages, queue
from chinhthong.delivery.models import Channel, Delivery, Status
from tests.reach.factories import make_staff, make_tree, publish_bulletin

pytestmark = pytest.mark.django_db
ODD_NAME = 'Nguyễn "Tí" <Hoa> & Lan'


@pytest.fixture
def people():
    tree = make_tree()
    return [
        make_staff(tree["QN"], ODD_NAME, email="tihoa@quangninh.gov.vn"),
        make_staff(tree["QN"], "Bùi Thị Ánh Tuyết", email="tuyet@quangninh.gov.vn"),
    ]


def test_names_links_and_ids_are_each_recipients_own(people, mail, committed):
    with committed():
        publish_bulletin("Cảnh báo: tin nhắn giả mạo ngân hàng", urgent=True)
    received = {r.recipients[0]: r for r in mail.wait_for(2)}
    odd = received["tihoa@quangninh.gov.vn"].message
    assert odd["To"].addresses[0].display_name == ODD_NAME
    assert f"Kính gửi {ODD_NAME}," in odd.get_body(("plain",)).get_content()
    html = odd.get_body(("html",)).get_content()
    assert "Nguyễn &quot;Tí&quot; &lt;Hoa&gt; &amp; Lan" in html and "<Hoa>" not in html
    other = received["tuyet@quangninh.gov.vn"].message
    assert "Kính gửi Bùi Thị Ánh Tuyết," in other.get_body(("plain",)).get_content()
    for address, message in (("tihoa@quangninh.gov.vn", odd), ("tuyet@quangninh.gov.vn", other)):
        row = Delivery.objects.get(staff__email=address, channel=Channel.EMAIL)
        assert message["Message-ID"] == messages.message_id(row.pk) == row.provider_id
        assert messages.delivery_id_from(message["Message-ID"]) == row.pk
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["Date"] is not None
    assert messages.delivery_id_from("<ct.1.0000000000000000@quangninh.gov.vn>") is None


def test_without_a_mail_server_messages_are_written_to_files(people, committed, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with committed():
        publish_bulletin("Cảnh báo khẩn", urgent=True)
    assert sorted(m.to[0].rsplit("<", 1)[-1] for m in django_mail.outbox) == [
        "tihoa@quangninh.gov.vn>",
        "tuyet@quangninh.gov.vn>",
    ]
    assert django_mail.outbox[0].subject == "[KHẨN] Cảnh báo khẩn"
    assert set(Delivery.objects.filter(channel=Channel.EMAIL).values_list("status", flat=True)) == {
        Status.DELIVERED
    }


def test_a_retried_message_keeps_its_message_id(people, mail, committed):
    mail.refuse("tuyet@quangninh.gov.vn", "421 4.7.0 Too many connections", times=1)
    with committed():
        bulletin = publish_bulletin("Cảnh báo khẩn", urgent=True)
    row = Delivery.objects.get(staff__email="tuyet@quangninh.gov.vn", channel=Channel.EMAIL)
    assert row.status == Status.TEMPORARY_FAILURE
    from chinhthong.delivery import services

    with committed():
        services.retry_failed(bulletin)
    (sent,) = mail.to("tuyet@quangninh.gov.vn")
    assert sent.message["Message-ID"] == messages.message_id(row.pk)
    assert queue.send_due(Channel.EMAIL) == {}
