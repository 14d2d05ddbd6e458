"""Fixtures the delivery tests share: Django's SMTP backend pointed at a real SMTP server on
loopback (tests/delivery/smtp_server.py), and publishing with the follow-up work run as the task
queue would run it once the publication is committed."""

import contextlib

import pytest

from tests.delivery.smtp_server import site_sending_to


@pytest.fixture(autouse=True)
def _one_sending_thread(settings):
    """Sending threads have database connections of their own, which cannot see a test's
    uncommitted rows: tests send from the test's thread (the benchmark runs the threads)."""
    settings.DELIVERY_THREADS = 1


@pytest.fixture
def mail(settings):
    """A real SMTP server, and the site sending to it as CHINHTHONG_SMTP_URL would set up."""
    sending = site_sending_to(
        settings, mail_from="bantin@quangninh.gov.vn", public_url="https://congchuc.example.vn"
    )
    with sending as server:
        yield server


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` runs what the code inside queues on commit (the delivery tasks,
    on the immediate task backend of the tests), as a real commit would."""

    @contextlib.contextmanager
    def run():
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return run
