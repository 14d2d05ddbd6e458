"""Each forwarded message is answered exactly once: across runs, after a run that died before
or after handing its reply over, and with two runs at the same moment (two real processes on
one database and one Maildir); and a sender is answered at most
CHINHTHONG_TIPLINE_REPLIES_PER_HOUR times an hour."""

import datetime as dt
import os
import subprocess
import sys
import time

from django.utils import timezone

from chinhthong.gateway import tipline, tipline_claims
from chinhthong.gateway.models import TiplineMessage, TiplineStatus
from tests.delivery.smtp_server import smtp_server
from tests.gateway import tipline_helpers
from tests.gateway.tipline_helpers import (
    TIPLINE,
    add,
    forward_as_attachment,
    forward_quoted_gmail,
    nothing_forwarded,
    scam,
)
from tests.processes import CHINHTHONG, app_environment

# The helpers' fixtures, used here by name.
mail = tipline_helpers.mail
maildir = tipline_helpers.maildir


def test_a_second_run_answers_nothing_again(default_registry, maildir, mail):
    add(maildir, forward_as_attachment(scam()), forward_quoted_gmail())
    first = tipline.answer_maildir(maildir)
    second = tipline.answer_maildir(maildir)
    assert (first.answered, second.answered, second.repeated) == (2, 0, 0)
    assert len(mail.received) == 2
    assert list((maildir / "new").iterdir()) == []
    assert all(p.name.endswith(":2,S") for p in (maildir / "cur").iterdir())


def test_the_same_message_delivered_twice_is_answered_once(default_registry, maildir, mail):
    forward = forward_as_attachment(scam())
    add(maildir, forward, forward)
    counts = tipline.answer_maildir(maildir)
    assert (counts.answered, counts.repeated) == (1, 1)
    assert len(mail.received) == 1


def test_a_run_that_died_after_handing_over_its_reply_never_answers_again(
    default_registry, maildir, mail
):
    """Killed after the reply was recorded, before its message was marked seen."""
    forward = forward_as_attachment(scam())
    add(maildir, forward)
    tipline.answer_maildir(maildir)
    (seen,) = (maildir / "cur").iterdir()
    seen.rename(maildir / "new" / seen.name.partition(":2,")[0])  # as before the move
    counts = tipline.answer_maildir(maildir)
    assert (counts.answered, counts.repeated) == (0, 1)
    assert len(mail.received) == 1
    assert list((maildir / "new").iterdir()) == []


def test_a_run_that_died_before_handing_over_is_taken_over_once_its_lease_ran_out(
    default_registry, maildir, mail
):
    """Claimed, then killed before the reply left: the next run waits for the lease, then
    answers, once."""
    forward = forward_as_attachment(scam())
    add(maildir, forward)
    from email import message_from_bytes, policy

    from chinhthong.config.maildir import source_key

    key = source_key(message_from_bytes(forward, policy=policy.default), forward)
    dead = tipline_claims.claim(key, "an@example.vn")
    assert isinstance(dead, TiplineMessage)
    held = tipline.answer_maildir(maildir)
    assert (held.answered, held.busy) == (0, 1)  # the lease still runs
    assert list((maildir / "new").iterdir())  # left for the next run
    TiplineMessage.objects.filter(pk=dead.pk).update(
        claimed_until=timezone.now() - dt.timedelta(seconds=1)
    )
    taken = tipline.answer_maildir(maildir)
    assert taken.answered == 1
    assert len(mail.wait_for(1)) == 1
    row = TiplineMessage.objects.get()
    assert (row.status, row.attempts) == (TiplineStatus.REPLIED, 2)
    # The dead run, had it woken up, could not hand its reply over any more.
    assert not tipline_claims.hand_over(dead, forwarded="attached", verdict="x", reply_id="")
    assert tipline.answer_maildir(maildir).answered == 0
    assert len(mail.received) == 1


def test_a_sender_over_the_hourly_limit_is_judged_and_not_answered(
    default_registry, maildir, mail, settings
):
    settings.TIPLINE_REPLIES_PER_HOUR = 2
    add(maildir, *(forward_as_attachment(scam()) for _ in range(3)))
    add(maildir, forward_quoted_gmail(sender="other@example.vn"))
    counts = tipline.answer_maildir(maildir)
    assert (counts.answered, counts.limited) == (3, 1)
    assert sorted(r.recipients[0] for r in mail.wait_for(3)) == [
        "an@example.vn",
        "an@example.vn",
        "other@example.vn",
    ]
    limited = TiplineMessage.objects.get(status=TiplineStatus.LIMITED)
    assert limited.verdict == "impersonation"  # judged all the same
    assert limited.reply_id == "" and limited.answered_at is None
    # An hour later the sender is answered again.
    TiplineMessage.objects.update(answered_at=timezone.now() - dt.timedelta(hours=1, seconds=1))
    add(maildir, forward_as_attachment(scam()))
    assert tipline.answer_maildir(maildir).answered == 1
    assert len(mail.wait_for(4)) == 4


def test_how_to_forward_is_said_once_a_day(default_registry, maildir, mail):
    add(maildir, nothing_forwarded(), nothing_forwarded())
    counts = tipline.answer_maildir(maildir)
    assert (counts.answered, counts.limited) == (1, 1)
    assert len(mail.wait_for(1)) == 1


# --- two runs at once ------------------------------------------------------------------------
RUN = """
import os, pathlib, time
import django
django.setup()
from chinhthong.gateway import tipline
folder = pathlib.Path(os.environ["RACE_FOLDER"])
(folder / f"ready-{os.getpid()}").touch()
while not (folder / "go").exists():
    time.sleep(0.005)
counts = tipline.answer_maildir(os.environ["RACE_MAILDIR"])
print(counts.answered, counts.repeated, counts.busy)
"""
MESSAGES = 12


def test_two_runs_at_the_same_moment_answer_each_message_once(tmp_path, transactional_db):
    box = tmp_path / "kiemtra"
    add(box, *(forward_as_attachment(scam()) for _ in range(MESSAGES)))
    with smtp_server() as server, app_environment(tmp_path / "var") as env:
        run = {"env": env, "cwd": tmp_path, "capture_output": True, "text": True}
        done = subprocess.run([*CHINHTHONG, "setup", "--no-static"], timeout=300, **run)
        assert done.returncode == 0, done.stderr
        race = {
            **env,
            "DJANGO_SETTINGS_MODULE": "chinhthong.config.settings",
            "CHINHTHONG_SMTP_URL": server.url,
            "CHINHTHONG_TIPLINE_ADDRESS": TIPLINE,
            "CHINHTHONG_TIPLINE_REPLIES_PER_HOUR": "100",
            "RACE_FOLDER": str(tmp_path),
            "RACE_MAILDIR": str(box),
        }
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", RUN],
                env=race,
                cwd=tmp_path,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        try:
            deadline = time.monotonic() + 120
            while len(list(tmp_path.glob("ready-*"))) < 2 and time.monotonic() < deadline:
                assert all(w.poll() is None for w in workers), [w.stderr.read() for w in workers]
                time.sleep(0.05)
            (tmp_path / "go").touch()
            answers = [w.communicate(timeout=180) for w in workers]
        finally:
            for worker in workers:
                if worker.poll() is None:
                    os.kill(worker.pid, 9)
                    worker.wait()
        assert [w.returncode for w in workers] == [0, 0], [err for _out, err in answers]
        answered = [int(out.split()[0]) for out, _err in answers]
        assert sum(answered) == MESSAGES, answers
        replies = server.wait_for(MESSAGES)
        assert len(replies) == MESSAGES
        assert len({r.message["In-Reply-To"] for r in replies}) == MESSAGES  # one each
