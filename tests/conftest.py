import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from chinhthong.accounts import roles
from chinhthong.accounts import services as accounts
from chinhthong.checks import engines
from chinhthong.clients.ratelimit import LIMITER
from chinhthong.registry import services as registry
from chinhthong.registry import signing

PASSWORD = "mật-khẩu-thử-nghiệm-42"


@pytest.fixture(scope="session", autouse=True)
def _signing_key():
    signing.generate_key_file(settings.REGISTRY_SIGNING_KEY_FILE)


@pytest.fixture(autouse=True)
def _vietnamese():
    # A request in another language leaves that language active in the thread; users of the
    # CLI and of a fresh request get Vietnamese, and so does every test unless it asks.
    with translation.override("vi"):
        yield


@pytest.fixture(autouse=True)
def _fresh_engine():
    # A process keeps its verification engine between requests; each test checks against the
    # registry it sets up.
    engines.reset()
    yield
    engines.reset()


@pytest.fixture(autouse=True)
def _fresh_bulletin_index():
    # Likewise its index of published bulletins: a rolled-back test hands its ids out again.
    from chinhthong.bulletins import queries

    queries.reset_index()
    yield
    queries.reset_index()


@pytest.fixture(autouse=True)
def _fresh_report_index():
    # Likewise the reports' text index: rolled-back reports hand their ids out again.
    from chinhthong.reports import textmatch

    textmatch.reset_index()
    yield
    textmatch.reset_index()


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    # Rate-limit and lockout counters live in the cache; each test starts with none.
    cache.clear()
    LIMITER.reset()


class LimiterClock:
    """The rate limiter's clock, set by the test (1,000,000,062.5: 42.5 s into a minute
    window, 2.5 s into a ten-second one)."""

    def __init__(self, now: float = 1_000_000_062.5):
        self.now = now

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def limiter_clock(monkeypatch) -> LimiterClock:
    from chinhthong.clients import ratelimit

    clock = LimiterClock()
    monkeypatch.setattr(ratelimit, "time", clock)
    return clock


@pytest.fixture
def default_registry(db, django_capture_on_commit_callbacks):
    """The registry shipped in the package, loaded through the import service; the snapshot
    task it enqueues on commit runs too."""
    with django_capture_on_commit_callbacks(execute=True):
        return registry.load_default_registry()


@pytest.fixture
def editor(db):
    return accounts.create_user("bientap", PASSWORD, role=roles.EDITOR)


@pytest.fixture
def staff_member(db):
    return accounts.create_user("canbo", PASSWORD, role=roles.STAFF)


@pytest.fixture
def administrator(db):
    return accounts.create_user("quantri", PASSWORD, role=roles.ADMINISTRATOR, is_superuser=True)
