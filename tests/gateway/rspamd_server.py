"""A throw-away rspamd — Debian's /usr/bin/rspamd — on loopback, for end-to-end tests of the
rspamd module (contrib/rspamd/).

Its configuration is a copy of the package's files in /etc/rspamd (only read), so the module
is installed into it as an administrator installs it, with a top-level rspamd.conf of its own:
only the normal worker, on a free loopback port; database, run and log directories in the
test's folder; no Redis; the modules that ask the network (DNS blocklists, fuzzy hashes, ASN,
...) off. Its DNS is a small server on loopback (``dns_server``) that knows only the zones a
test gives it, so SPF, DKIM and DMARC are computed for real and every other name fails at once:
rspamd never waits on the machine's resolver.
"""

import contextlib
import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from dnslib import QTYPE, RCODE, RR, SOA, TXT
from dnslib.server import BaseResolver, DNSServer

from tests import processes

RSPAMD = Path("/usr/bin/rspamd")
SYSTEM_CONFDIR = Path("/etc/rspamd")
READY_TIMEOUT = 120.0
# Modules that would query DNS blocklists, reputation or hash servers, fetch maps over HTTP, or
# need Redis: off, so a test depends on nothing but loopback.
NETWORK_MODULES = (
    "rbl",
    "fuzzy_check",
    "asn",
    "emails",
    "hfilter",
    "mx_check",
    "rspamd_update",
    "dcc",
    "external_services",
    "antivirus",
    "bimi",
    "url_redirector",
    "neural",
    "ratelimit",
    "greylist",
    "replies",
    "reputation",
    "history_redis",
    "metric_exporter",
    "elastic",
    "clickhouse",
)

_TOP_CONFIG = """# A test's rspamd.conf: the package's common configuration, one worker on loopback.
.include "$CONFDIR/common.conf"

options {{
    pidfile = "$RUNDIR/rspamd.pid";
    .include "$CONFDIR/options.inc"
    .include(try=true; priority=1,duplicate=merge) "$LOCAL_CONFDIR/local.d/options.inc"
}}

logging {{
    type = "file";
    filename = "$LOGDIR/rspamd.log";
    level = "info";
}}

worker "normal" {{
    bind_socket = "127.0.0.1:{port}";
    count = 1;
    .include "$CONFDIR/worker-normal.inc"
}}
"""

_OPTIONS = """# Only the loopback DNS server of the test; room for a busy machine's slow answers.
task_timeout = 60s;
dns {{
    nameserver = ["127.0.0.1:{dns_port}"];
    timeout = 1s;
    retransmits = 1;
}}
"""


class _Zones(BaseResolver):
    """Answers TXT records of the names it was given; every other question: NXDOMAIN."""

    def __init__(self, txt: dict[str, str]):
        self.txt = {name.lower().rstrip("."): value for name, value in txt.items()}

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).lower().rstrip(".")
        if request.q.qtype == QTYPE.TXT and name in self.txt:
            reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(self.txt[name]), ttl=60))
        elif not any(known == name or known.endswith("." + name) for known in self.txt):
            # With the zone's SOA, as real servers answer: rspamd takes an NXDOMAIN without
            # one for a DNS failure (R_SPF_DNSFAIL rather than R_SPF_NA).
            reply.header.rcode = RCODE.NXDOMAIN
            zone = ".".join(name.split(".")[-2:]) or "."
            soa = SOA(f"ns.{zone}", f"hostmaster.{zone}", (1, 3600, 600, 86400, 60))
            reply.add_auth(RR(zone, QTYPE.SOA, rdata=soa, ttl=60))
        return reply  # a known name asked for another type: an empty answer


class _QuietLogger:
    def __getattr__(self, _name):
        return lambda *args, **kwargs: None


@contextlib.contextmanager
def dns_server(txt: dict[str, str]):
    """A DNS server on a free loopback UDP port answering ``txt`` ({name: text}); its port."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = DNSServer(_Zones(txt), address="127.0.0.1", port=port, logger=_QuietLogger())
    server.start_thread()
    try:
        yield port
    finally:
        server.stop()
        server.server.server_close()


# What an administrator of this machine may have added: not copied, so a test runs the
# package's configuration whatever the machine's own rspamd does.
_SITE_FILES = shutil.ignore_patterns(
    "local.d",
    "override.d",
    "plugins.d",
    "lua",
    "rspamd.conf.local*",
    "rspamd.conf.override",
    "rspamd.local.lua",
)


def make_config(workdir: Path, dns_port: int) -> Path:
    """A configuration directory: the package's files of /etc/rspamd copied (as files: a
    write into the copy never reaches the machine's), then the test's DNS and modules. The
    top file is written when rspamd starts (``rspamd_server``)."""
    confdir = workdir / "etc"
    shutil.copytree(SYSTEM_CONFDIR, confdir, symlinks=False, ignore=_SITE_FILES)
    (confdir / "local.d").mkdir()
    (confdir / "override.d").mkdir()
    (confdir / "local.d" / "options.inc").write_text(_OPTIONS.format(dns_port=dns_port))
    for module in NETWORK_MODULES:
        (confdir / "local.d" / f"{module}.conf").write_text("enabled = false;\n")
    # The classifier stores in Redis: none here.
    (confdir / "override.d" / "statistic.conf").write_text("")
    (confdir / "override.d" / "classifier-bayes.conf").write_text("")
    return confdir


@dataclass
class Rspamd:
    url: str
    log: Path

    def check(self, message: bytes, **request_headers: str) -> dict:
        """rspamd's answer to /checkv2 for ``message``, with the SMTP facts an MTA passes (IP,
        From, Rcpt, Helo, ... as rspamd's protocol names them)."""
        request = urllib.request.Request(
            f"{self.url}/checkv2", data=message, headers=request_headers, method="POST"
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.load(answer)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@contextlib.contextmanager
def rspamd_server(confdir: Path, workdir: Path):
    """Debian's rspamd in the foreground with ``confdir``, until the block ends; stopped even
    when the test fails. Ready once its normal worker answers /ping."""
    if not RSPAMD.exists():
        raise RuntimeError("rspamd is not installed; scripts/install-system-deps installs it")
    port = processes.free_port()
    (confdir / "rspamd.conf").write_text(_TOP_CONFIG.format(port=port))
    for name in ("db", "run", "log"):
        (workdir / name).mkdir(exist_ok=True)
    variables = {
        "CONFDIR": confdir,
        "LOCAL_CONFDIR": confdir,
        "DBDIR": workdir / "db",
        "RUNDIR": workdir / "run",
        "LOGDIR": workdir / "log",
    }
    command = [str(RSPAMD), "-f", "-c", str(confdir / "rspamd.conf")]
    # Tests run as root in CI; rspamd refuses root workers unless told it is on purpose.
    command += ["--insecure"] + [f"--var={name}={value}" for name, value in variables.items()]
    server = Rspamd(url=f"http://127.0.0.1:{port}", log=workdir / "log" / "rspamd.log")
    with processes.started({}, log=workdir / "rspamd.out", command=command) as process:
        _wait_ready(server, process, workdir / "rspamd.out")
        yield server


def _wait_ready(server: Rspamd, process: subprocess.Popen, output: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        with (
            contextlib.suppress(OSError, urllib.error.URLError),
            urllib.request.urlopen(f"{server.url}/ping", timeout=5) as answer,
        ):
            if answer.status == 200:
                return
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(
                f"rspamd did not start (status {process.poll()}):\n"
                f"{output.read_text(errors='replace')[-3000:]}\n{server.log_text()[-5000:]}"
            )
        time.sleep(0.2)
