"""Test settings: the real settings, with a temporary var/ and tasks run on the spot.

Tests that exercise a real queue (database worker, RQ on redis-server) switch backends
themselves.
"""

import os
import tempfile

os.environ.setdefault("CHINHTHONG_VAR_DIR", tempfile.mkdtemp(prefix="chinhthong-test-"))
os.environ["CHINHTHONG_STATICFILES_STORAGE"] = (
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
os.environ["CHINHTHONG_TASK_BACKEND"] = "immediate"
# Reported links are not fetched from the internet by tests; tests/reports/test_capture*.py
# turn captures on against servers on loopback.
os.environ["CHINHTHONG_REPORT_CAPTURE_LINKS"] = "false"
# Playwright's sync API runs an event loop in the test thread; the ORM calls made by test code
# around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from chinhthong.config.settings import *  # noqa: F403

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (whitenoise warns when it is missing)
