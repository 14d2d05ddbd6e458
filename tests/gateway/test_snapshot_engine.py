"""A gateway with no database runs from the signed snapshot file: the engine workers verify
the signature, refuse a snapshot that does not verify, and take a new one (and a new
blocklist) while they run."""

import copy
import json
import os
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from chinhthong.checks.engines import packaged_document
from chinhthong.gateway.engine_pool import EnginePool, WorkerRefused
from chinhthong.registry import signing
from chinhthong.verify.results import Verdict
from tests.processes import CHINHTHONG

OFFICIAL = (
    b"From: Van thu <vanthu@quangninh.gov.vn>\r\n"
    b"Authentication-Results: mx.quangninh.gov.vn; dmarc=pass header.from=quangninh.gov.vn\r\n"
    b"Subject: Thong bao\r\n\r\nXin chao\r\n"
)
NEW_DOMAIN = (
    b"From: Van thu <vanthu@halong.gov.vn>\r\n"
    b"Authentication-Results: mx.quangninh.gov.vn; dmarc=pass header.from=halong.gov.vn\r\n"
    b"Subject: Thong bao\r\n\r\nXin chao\r\n"
)
LINKED = b"From: A <a@example.com>\r\nSubject: Xem\r\n\r\nhttps://lua-dao.example/nhan-qua\r\n"


def _with_halong(document: dict) -> dict:
    document = copy.deepcopy(document)
    document["channels"].append(
        {
            "slug": "mail-ha-long",
            "agency": "ubnd-tinh-quang-ninh",
            "kind": "mail_domain",
            "name": "Thư công vụ thành phố Hạ Long",
            "host": "halong.gov.vn",
            "status": "active",
            "source": "TEST-1",
        }
    )
    return document


class Files:
    def __init__(self, folder, key: Ed25519PrivateKey):
        self.folder, self.key = folder, key
        self.snapshot = folder / "registry.json"
        self.signature = folder / "registry.json.sig"
        self.public_key = folder / "registry.pub"
        self.blocklist = folder / "blocklist.txt"
        self.public_key.write_bytes(signing.public_pem(key))
        self.blocklist.write_text("# none yet\n")

    def publish(self, document: dict, *, signed_by: Ed25519PrivateKey | None = None) -> None:
        body = json.dumps(document, ensure_ascii=False).encode()
        self.snapshot.write_bytes(body)
        self.signature.write_text(signing.sign(signed_by or self.key, body) + "\n")
        _touch_later(self.snapshot, self.signature)

    def args(self) -> list[str]:
        return [
            "--snapshot",
            str(self.snapshot),
            "--signature",
            str(self.signature),
            "--public-key",
            str(self.public_key),
            "--blocklist",
            str(self.blocklist),
        ]


def _touch_later(*paths) -> None:
    # A file rewritten within the same clock tick keeps its time on some file systems.
    stamp = time.time() + 1
    for path in paths:
        os.utime(path, (stamp, stamp))


@pytest.fixture
def files(tmp_path):
    found = Files(tmp_path, Ed25519PrivateKey.generate())
    found.publish(packaged_document())
    return found


@pytest.fixture
def pool(files):
    engines = EnginePool(files.args(), size=1, deadline=60.0)
    engines.start()
    yield engines
    engines.stop()


def _eventually(check, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def test_a_verified_snapshot_answers_official(pool):
    result = pool.judge(OFFICIAL)
    assert result.verdict is Verdict.OFFICIAL
    assert result.channel.name == "Thư công vụ tỉnh Quảng Ninh"


def test_a_new_snapshot_is_taken_while_running(pool, files):
    assert pool.judge(NEW_DOMAIN).verdict is not Verdict.OFFICIAL
    files.publish(_with_halong(packaged_document()))
    assert _eventually(lambda: pool.judge(NEW_DOMAIN).verdict is Verdict.OFFICIAL)


def test_a_snapshot_signed_by_another_key_is_refused_and_the_old_one_stays(pool, files):
    files.publish(_with_halong(packaged_document()), signed_by=Ed25519PrivateKey.generate())
    time.sleep(6)  # past the workers' look at the files (snapshot_file.RECHECK_SECONDS)
    assert pool.judge(NEW_DOMAIN).verdict is not Verdict.OFFICIAL
    assert pool.judge(OFFICIAL).verdict is Verdict.OFFICIAL


def test_an_older_signed_snapshot_put_back_is_refused(files):
    newer = _with_halong(packaged_document())
    newer["generated_at"] = "2026-12-05T08:00:00+00:00"
    files.publish(newer)
    engines = EnginePool(files.args(), size=1, deadline=60.0)
    engines.start()
    try:
        assert engines.judge(NEW_DOMAIN).verdict is Verdict.OFFICIAL
        older = packaged_document()  # without Hạ Long, signed by the same key, a day before
        older["generated_at"] = "2026-12-04T08:00:00+00:00"
        files.publish(older)
        time.sleep(6)  # past the workers' look at the files (snapshot_file.RECHECK_SECONDS)
        assert engines.judge(NEW_DOMAIN).verdict is Verdict.OFFICIAL
    finally:
        engines.stop()


def test_the_blocklist_file_is_read_again_when_it_changes(pool, files):
    assert pool.judge(LINKED).verdict is not Verdict.MALICIOUS
    files.blocklist.write_text("lua-dao.example\n")
    _touch_later(files.blocklist)
    assert _eventually(lambda: pool.judge(LINKED).verdict is Verdict.MALICIOUS)


def test_a_tampered_snapshot_stops_the_start(files):
    document = packaged_document()
    files.publish(document)
    files.snapshot.write_bytes(files.snapshot.read_bytes().replace(b"quangninh", b"quangninb"))
    with pytest.raises(WorkerRefused, match="does not verify"):
        EnginePool(files.args(), size=1, deadline=60.0).start()


def test_the_command_refuses_a_tampered_snapshot_in_vietnamese(files, tmp_path):
    import subprocess

    files.signature.write_text(signing.sign(Ed25519PrivateKey.generate(), b"other") + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHINHTHONG_", "DJANGO_"))}
    env["CHINHTHONG_VAR_DIR"] = str(tmp_path / "var")
    done = subprocess.run(
        [*CHINHTHONG, "milter", "--listen", "inet:1@127.0.0.1", *files.args()],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "Chữ ký của bản chụp sổ đăng ký không khớp với khóa công khai" in done.stderr
    assert "does not verify" in done.stderr  # and the files it means


def _milter_command(tmp_path, *args: str):
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHINHTHONG_", "DJANGO_"))}
    env["CHINHTHONG_VAR_DIR"] = str(tmp_path / "var")
    return subprocess.run(
        [*CHINHTHONG, "milter", "--listen", "inet:1@127.0.0.1", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_snapshot_without_its_signature_is_told_not_a_traceback(files, tmp_path):
    done = _milter_command(
        tmp_path, "--snapshot", str(files.snapshot), "--public-key", str(files.public_key)
    )
    assert done.returncode == 2
    assert "cần kèm chữ ký (--signature)" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_private_key_given_as_the_public_key_is_named(files, tmp_path):
    from cryptography.hazmat.primitives import serialization

    files.public_key.write_bytes(
        files.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    done = _milter_command(tmp_path, *files.args())
    assert done.returncode == 2
    assert "Tệp khóa công khai không phải là khóa công khai Ed25519 của tỉnh" in done.stderr
