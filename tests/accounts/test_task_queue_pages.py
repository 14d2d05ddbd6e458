"""The RQ dashboard in the back office: administrators only, and only where RQ runs the queue.

The finding: every staff account could open it, empty a queue, and got a 500 where no Redis
ran. The dashboard is registered when the process starts, so each case runs the real settings
in a child process (`chinhthong manage shell`) against a real redis-server, or none.
"""

import json

import pytest

from tests.processes import app_environment, redis_server, run

# Pages rendered without collected static files (setup --no-static), as the suite does.
PLAIN_STATIC = {
    "CHINHTHONG_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
PAGES = [
    ("get", "/quan-tri/django_rq/dashboard/"),
    ("get", "/quan-tri/django_rq/dashboard/queues/0/"),
    ("post", "/quan-tri/django_rq/dashboard/queues/0/empty/"),
    ("get", "/quan-tri/django_rq/dashboard/stats.json/"),
    ("get", "/quan-tri/django_rq/dashboard/stats.json/abc/"),
]

SCRIPT = """
import json
from django.test import Client
from chinhthong.accounts import roles, services
pages = json.loads('''%s''')
seen = {}
for role in roles.PERMISSIONS:
    user = services.create_user("vai-tro-" + role, "mat-khau-thu-nghiem-42", role=role)
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    seen[role] = [getattr(client, method)(path).status_code for method, path in pages]
print("SEEN" + json.dumps(seen))
"""


def _statuses(env, **changed: str) -> dict[str, list[int]]:
    assert run(env, "setup", "--no-static").returncode == 0
    done = run(
        {**env, **changed}, "manage", "shell", "--no-imports", "-c", SCRIPT % json.dumps(PAGES)
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.split("SEEN", 1)[1])


@pytest.mark.redis
def test_only_administrators_reach_the_rq_dashboard(tmp_path):
    with (
        redis_server(tmp_path) as url,
        app_environment(
            tmp_path / "var", REDIS_URL=url, CHINHTHONG_TASK_BACKEND="rq", **PLAIN_STATIC
        ) as env,
    ):
        seen = _statuses(env)
    assert seen.pop("administrator") == [200, 200, 302, 200, 200]  # emptied, then back
    for role in ("editor", "report_handler"):
        assert seen.pop(role) == [404] * len(PAGES), role
    for role, statuses in seen.items():  # no back office at all: to the log-in page
        assert statuses == [302] * len(PAGES), role


@pytest.mark.redis
def test_the_rq_dashboard_says_when_redis_does_not_answer(tmp_path):
    with app_environment(tmp_path / "var", **PLAIN_STATIC) as env:
        seen = _statuses(env, REDIS_URL="redis://127.0.0.1:1/0", CHINHTHONG_TASK_BACKEND="rq")
    assert seen["administrator"][:3] == [503, 503, 503]
    assert seen["editor"] == [404] * len(PAGES)


def test_without_rq_there_is_no_dashboard(tmp_path):
    with app_environment(tmp_path / "var", **PLAIN_STATIC) as env:
        seen = _statuses(env)
    assert seen["administrator"] == [404] * len(PAGES)
