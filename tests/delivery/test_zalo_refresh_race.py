"""Two workers refreshing the OA's token at the same moment: the refresh token can be used
only once, so only one refresh may reach Zalo; the other waits for the token row's lock and
takes the new token. The workers are two real processes on one installation's database (a
PostgreSQL database when the suite runs on PostgreSQL: SELECT … FOR UPDATE; else an SQLite
file: BEGIN IMMEDIATE), released together once both are ready."""

import os
import subprocess
import sys
import time

from tests.delivery.zalo_standin import ZaloStandIn
from tests.processes import CHINHTHONG, app_environment

APP_ID, APP_SECRET = "1234567890", "Sk3cR3t-uNg-dUng_42"

WORKER = """
import os, pathlib, sys, time
import django
django.setup()
from chinhthong.delivery import zalo
folder = pathlib.Path(os.environ["RACE_FOLDER"])
(folder / f"ready-{os.getpid()}").touch()
while not (folder / "go").exists():
    time.sleep(0.005)
print(zalo.refresh(stale=os.environ["RACE_STALE"]))
"""


def test_two_workers_refreshing_at_once_spend_the_refresh_token_once(tmp_path, transactional_db):
    with ZaloStandIn(app_id=APP_ID, app_secret=APP_SECRET, refresh_delay=1.5) as platform:
        zalo_env = {
            "CHINHTHONG_ZALO_OAUTH_URL": platform.url,
            "CHINHTHONG_ZALO_APP_ID": APP_ID,
            "CHINHTHONG_ZALO_APP_SECRET": APP_SECRET,
            "CHINHTHONG_FETCH_ALLOWED_NETWORKS": "127.0.0.0/8",
        }
        with app_environment(tmp_path / "var", **zalo_env) as env:
            run = {"env": env, "cwd": tmp_path, "capture_output": True, "text": True}
            done = subprocess.run([*CHINHTHONG, "setup", "--no-static"], timeout=300, **run)
            assert done.returncode == 0, done.stderr
            access, refresh = platform.issue()
            seeded = subprocess.run([*CHINHTHONG, "delivery", "zalo-token", access, refresh], **run)
            assert seeded.returncode == 0, seeded.stderr
            race = {
                **env,
                "DJANGO_SETTINGS_MODULE": "chinhthong.config.settings",
                "RACE_FOLDER": str(tmp_path),
                "RACE_STALE": access,  # both found this token refused
            }
            workers = [
                subprocess.Popen(
                    [sys.executable, "-c", WORKER],
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
                    assert all(w.poll() is None for w in workers), [
                        w.stderr.read() for w in workers
                    ]
                    time.sleep(0.05)
                (tmp_path / "go").touch()
                answers = [w.communicate(timeout=120) for w in workers]
            finally:
                for worker in workers:
                    if worker.poll() is None:
                        os.kill(worker.pid, 9)
                        worker.wait()
    assert [w.returncode for w in workers] == [0, 0], [err for _out, err in answers]
    tokens = {out.strip() for out, _err in answers}
    assert len(tokens) == 1 and access not in tokens
    assert platform.refresh_calls == 1
    assert platform.spent == {refresh}
