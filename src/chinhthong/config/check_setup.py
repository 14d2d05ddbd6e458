"""Django set up for a process that only checks (`chinhthong check`): a mail filter starts one
per message, so it must start fast.

Setting up every application (admin, history, the task queue, the models of each app) took
most of a check's start (bench/RESULTS.md, "Start of one `chinhthong check`"). A check needs
none of it: the engine reads its rows with plain SQL (checks/engines.py) and the answer is
rendered from the project's catalogue. So such a process takes, from the real settings, only
what a check uses — the database, the language and its catalogue, the time zone — and sets up
no application; an SQLite database is read with the standard library, read-only (loading
Django's database layer cost about a quarter of what was left). What it answers is the same as
with everything set up (tests/config/test_cli_installation.py).
"""

import logging.config

# The settings a check reads; every other one keeps Django's default.
CHECK_SETTINGS = (
    "DATABASES",
    "DEFAULT_AUTO_FIELD",
    "DEBUG",
    "FORMAT_MODULE_PATH",
    "LANGUAGE_CODE",
    "LANGUAGES",
    "LOCALE_PATHS",
    "SECRET_KEY",
    "TIME_ZONE",
    "USE_I18N",
    "USE_TZ",
)


def setup_for_checks() -> None:
    """Configure Django with the real settings' values for checks and no application. Raises
    ImproperlyConfigured as the full settings do (a wrong environment variable)."""
    from django.apps import apps
    from django.conf import settings

    from chinhthong.config import installation

    installation.writes_files = False  # a check writes nothing (settings' secret key)
    from chinhthong.config import settings as full

    settings.configure(**{name: getattr(full, name) for name in CHECK_SETTINGS}, INSTALLED_APPS=[])
    logging.config.dictConfig(full.LOGGING)  # what django.setup() does, without its imports
    apps.populate([])
    database = full.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        from chinhthong.checks import engines

        engines.read_sqlite_directly(str(database["NAME"]), database["OPTIONS"]["timeout"])
