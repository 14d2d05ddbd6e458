"""A Postfix of the test's own on loopback: Debian's postfix with a configuration directory,
queue and mailboxes in a temporary folder, listening on a free port, delivering every
recipient of its virtual domain into one Maildir. The machine's mail system (/etc/postfix,
port 25, /var/spool/postfix) is never touched.

Postfix runs its daemons as the `postfix` user, so the folder is world-traversable (pytest's
tmp_path is not) and the Maildir belongs to `nobody`, the user the virtual agent delivers as.
Postfix logs to a file of the folder (maillog_file), read when a test fails.
"""

import contextlib
import email
import email.policy
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.processes import free_port

DOMAIN = "quangninh.gov.vn"
NOBODY = 65534


def _main_cf(root: Path, milter: str | None) -> str:
    lines = [
        "compatibility_level = 3.6",
        f"queue_directory = {root}/queue",
        f"data_directory = {root}/data",
        "mail_owner = postfix",
        "setgid_group = postdrop",
        "myhostname = mx.gateway.test",
        "mydomain = gateway.test",
        "myorigin = gateway.test",
        "mydestination =",
        "inet_interfaces = 127.0.0.1",
        "inet_protocols = ipv4",
        "mynetworks = 127.0.0.0/8",
        "relay_domains =",
        f"virtual_mailbox_domains = {DOMAIN}",
        f"virtual_mailbox_base = {root}/mail",
        "virtual_mailbox_maps = static:inbox/",
        f"virtual_uid_maps = static:{NOBODY}",
        f"virtual_gid_maps = static:{NOBODY}",
        "alias_maps =",
        "alias_database =",
        f"maillog_file = {root}/postfix.log",
        f"maillog_file_prefixes = {root}",
        "smtputf8_enable = yes",
        "biff = no",
        "message_size_limit = 52428800",
        "virtual_mailbox_limit = 0",
        # Deliver at once; the default pauses between deliveries to one domain.
        "default_destination_rate_delay = 0",
        "virtual_destination_concurrency_limit = 20",
        "in_flow_delay = 0",
    ]
    if milter:
        lines += [
            f"smtpd_milters = {milter}",
            f"non_smtpd_milters = {milter}",
            # Mail keeps flowing when the milter cannot be reached at all.
            "milter_default_action = accept",
            "milter_protocol = 6",
            "milter_connect_timeout = 10s",
            "milter_content_timeout = 120s",
        ]
    return "\n".join(lines) + "\n"


def _master_cf(port: int) -> str:
    # Debian's master.cf with the SMTP server moved to the test's port and out of a chroot.
    text = Path("/etc/postfix/master.cf").read_text()
    out = []
    for line in text.splitlines():
        if line.startswith("smtp      inet"):
            line = f"127.0.0.1:{port} inet n - n - - smtpd"
        out.append(line)
    return "\n".join(out) + "\n"


class Postfix:
    def __init__(self, milter: str | None = None):
        self.root = Path(tempfile.mkdtemp(prefix="chinhthong-postfix-"))
        os.chmod(self.root, 0o755)  # noqa: S103 (Postfix's daemons run as `postfix`)
        self.port = free_port()
        self.milter = milter
        self.conf = self.root / "conf"
        self.maildir = self.root / "mail" / "inbox"

    def start(self) -> "Postfix":
        self.conf.mkdir()
        (self.conf / "main.cf").write_text(_main_cf(self.root, self.milter))
        (self.conf / "master.cf").write_text(_master_cf(self.port))
        for name in ("queue", "mail"):
            (self.root / name).mkdir()
        data = self.root / "data"
        data.mkdir()
        shutil.chown(data, user="postfix")
        os.chown(self.root / "mail", NOBODY, NOBODY)
        self._postfix("start")
        self._wait_for_port()
        return self

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, OSError):
            self._postfix("stop")
        # Postfix leaves its pid file behind: wait until that process is gone.
        try:
            pid = int((self.root / "queue" / "pid" / "master.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return
        deadline = time.monotonic() + 60
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.1)

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def _postfix(self, command: str) -> None:
        subprocess.run(
            ["postfix", "-c", str(self.conf), command],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def _wait_for_port(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), 2),
            ):
                return
            time.sleep(0.1)
        raise RuntimeError(f"Postfix did not listen on {self.port}:\n{self.log()}")

    def log(self) -> str:
        path = self.root / "postfix.log"
        return path.read_text(errors="replace") if path.exists() else "(no log)"

    def delivered(self) -> list[Path]:
        new = self.maildir / "new"
        return sorted(new.iterdir()) if new.exists() else []

    def wait_for(self, count: int, timeout: float = 90.0) -> list[email.message.EmailMessage]:
        """The first ``count`` messages delivered, parsed; fails with Postfix's log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.delivered()
            if len(found) >= count:
                return [
                    email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                    for path in found
                ]
            time.sleep(0.1)
        raise AssertionError(f"{len(self.delivered())} of {count} delivered:\n{self.log()}")

    def held(self) -> list[str]:
        """Queue ids in the hold queue (what a milter quarantined)."""
        hold = self.root / "queue" / "hold"
        return sorted(path.name for path in hold.iterdir()) if hold.exists() else []


@contextlib.contextmanager
def running_postfix(milter: str | None = None):
    server = Postfix(milter)
    try:
        yield server.start()
    finally:
        server.stop()
        server.cleanup()
