"""`chinhthong delivery …`: where a bulletin's deliveries stand, what it refuses, and sending
by hand."""

import datetime as dt

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from chinhthong.delivery import services
from chinhthong.delivery.cli import app
from chinhthong.delivery.models import Channel, Delivery, Status
from tests.reach.factories import make_staff, make_tree, publish_bulletin

pytestmark = pytest.mark.django_db


def test_status_counts_each_channel_and_status(mail, committed):
    tree = make_tree()
    make_staff(tree["CP"], "Cán bộ Một", email="mot@quangninh.gov.vn")
    make_staff(tree["CP"], "Cán bộ Hai", email="")
    with committed():
        bulletin = publish_bulletin("Cảnh báo khẩn", urgent=True)
    shown = CliRunner().invoke(app, ["status", bulletin.slug], terminal_width=200)
    assert shown.exit_code == 0, shown.output
    lines = {line.split("│")[1].strip(): line for line in shown.output.splitlines() if "│" in line}
    assert lines["email"].split("│")[-2].strip() == "1"  # total
    assert lines["portal"].split("│")[-2].strip() == "2"


@pytest.mark.parametrize("command", ["status", "retry"])
def test_an_unknown_bulletin_is_refused(db, command):
    refused = CliRunner().invoke(app, [command, "khong-co-ban-tin-nay"])
    assert refused.exit_code == 2
    assert "Không có bản tin nào có địa chỉ khong-co-ban-tin-nay" in refused.output


def test_a_date_that_is_not_one_is_refused(db):
    refused = CliRunner().invoke(app, ["send-digest", "--date", "05/12/2026"])
    assert refused.exit_code == 2 and "NNNN-TT-NN" in refused.output


def test_a_digest_is_not_sent_before_its_day_is_over(db):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    refused = CliRunner().invoke(app, ["send-digest", "--date", str(tomorrow)])
    assert refused.exit_code == 2
    assert f"Thư tổng hợp ngày {tomorrow:%d/%m/%Y} đến giờ gửi lúc" in refused.output
    assert not Delivery.objects.exists()


def test_send_sends_what_is_due_in_this_process(mail):
    tree = make_tree()
    make_staff(tree["CP"], "Cán bộ Một", email="mot@quangninh.gov.vn")
    bulletin = publish_bulletin("Cảnh báo khẩn", urgent=True)  # no worker ran: rows wait
    services.fan_out(bulletin)
    assert Delivery.objects.get(channel=Channel.EMAIL).status == Status.CREATED
    sent = CliRunner().invoke(app, ["send", "email"])
    assert sent.exit_code == 0, sent.output
    assert [r.recipients for r in mail.received] == [["mot@quangninh.gov.vn"]]
    assert CliRunner().invoke(app, ["send", "fax"]).exit_code == 2
