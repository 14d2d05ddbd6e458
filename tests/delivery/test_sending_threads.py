"""Several sending threads (CHINHTHONG_DELIVERY_THREADS), each with its own claim, database
connection and SMTP connection, share out the rows: every message is sent once. Run as an
operator runs it, in a child process on its own database (an SQLite file, or PostgreSQL)."""

from collections import Counter

import pytest

from tests.delivery.smtp_server import smtp_server
from tests.processes import app_environment, run

PEOPLE = 40
MAKE = f"""
from chinhthong.bulletins import services as bulletins
from chinhthong.delivery import services
from chinhthong.reach import organisation
from chinhthong.reach.models import StaffMember
unit = organisation.create_unit(code="QN", name="Tỉnh Quảng Ninh")
for n in range({PEOPLE}):
    organisation.save_staff(StaffMember(
        name=f"Cán bộ {{n}}", unit=unit, category="CC", email=f"nguoi-{{n}}@quangninh.gov.vn"))
draft = bulletins.Draft(title="Cảnh báo khẩn", body_markdown="Nội dung.", urgency="urgent")
bulletin = bulletins.create_draft(draft, actor=None)
bulletins.publish(bulletin, actor=None)
print(services.fan_out(bulletin))
"""


@pytest.mark.django_db(transaction=True)
def test_threads_send_every_message_once(tmp_path):
    with (
        smtp_server() as mail,
        app_environment(
            tmp_path / "var",
            CHINHTHONG_SMTP_URL=f"smtp://127.0.0.1:{mail.port}?starttls=no",
            CHINHTHONG_TASK_BACKEND="db",  # publishing queues tasks: no worker runs them here
            CHINHTHONG_DELIVERY_THREADS="3",
            CHINHTHONG_DELIVERY_BATCH_SIZE="4",
        ) as env,
    ):
        assert run(env, "setup", "--no-static").returncode == 0
        made = run(env, "manage", "shell", "--no-imports", "-c", MAKE)
        assert made.returncode == 0, made.stderr
        sent = run(env, "delivery", "send", "email")
        assert sent.returncode == 0, sent.stderr
        assert f"delivered: {PEOPLE}" in sent.stdout
        wanted = Counter(f"nguoi-{n}@quangninh.gov.vn" for n in range(PEOPLE))
        assert Counter(r.recipients[0] for r in mail.received) == wanted
        assert mail.connections >= 3  # the threads' own connections, one for each batch
        again = run(env, "delivery", "send", "email")
        assert again.stdout.strip() == "0" and len(mail.received) == PEOPLE
