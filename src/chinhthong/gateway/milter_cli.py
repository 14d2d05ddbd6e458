"""`chinhthong milter`: the mail gateway's filter, for Postfix's smtpd_milters and
non_smtpd_milters (docs/mail-gateway.md)."""

import logging
import os
import re
from pathlib import Path

import typer
from django.utils.translation import gettext as _

from chinhthong.config import terminal
from chinhthong.config.terminal import one_line

err = terminal.console(stderr=True, highlight=False, soft_wrap=True)
_LISTEN = re.compile(r"(inet6?:\d{1,5}(@\S+)?|unix:/\S+|local:/\S+)")


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def milter(
    listen: str = typer.Option(
        "inet:8891@127.0.0.1",
        "--listen",
        envvar="CHINHTHONG_MILTER_LISTEN",
        help="Where Postfix connects: inet:PORT@HOST, or unix:/path/to/socket.",
    ),
    snapshot: Path | None = typer.Option(
        None,
        envvar="CHINHTHONG_MILTER_SNAPSHOT",
        help="A gateway with no database: the signed registry.json (with --signature, "
        "--public-key).",
    ),
    signature: Path | None = typer.Option(
        None, envvar="CHINHTHONG_MILTER_SIGNATURE", help="registry.json.sig"
    ),
    public_key: Path | None = typer.Option(
        None, "--public-key", envvar="CHINHTHONG_MILTER_PUBLIC_KEY", help="registry.pub"
    ),
    blocklist: Path | None = typer.Option(
        None,
        envvar="CHINHTHONG_MILTER_BLOCKLIST",
        help="With --snapshot: a blocklist file, one link or domain a line.",
    ),
    banner: str = typer.Option(
        "impersonation,malicious",
        envvar="CHINHTHONG_MILTER_BANNER",
        help="Verdicts that get a warning in the subject and a banner in the text; none for "
        "headers only.",
    ),
    quarantine: str = typer.Option(
        "", envvar="CHINHTHONG_MILTER_QUARANTINE", help="Verdicts held in Postfix's hold queue."
    ),
    reject: str = typer.Option(
        "", envvar="CHINHTHONG_MILTER_REJECT", help="Verdicts refused with 550 5.7.1."
    ),
    authserv_id: list[str] = typer.Option(
        [],
        "--authserv-id",
        envvar="CHINHTHONG_MILTER_AUTHSERV_ID",
        help="Authentication-Results written under these names (by an authenticating milter "
        "that runs before this one) are believed; none by default.",
    ),
    deadline: float = typer.Option(
        10.0,
        envvar="CHINHTHONG_MILTER_DEADLINE",
        min=0.1,
        max=300.0,
        help="Seconds to judge one message; then it passes, marked unchecked.",
    ),
    socket_umask: str = typer.Option(
        "007",
        envvar="CHINHTHONG_MILTER_SOCKET_UMASK",
        help="With unix:, the umask the socket is made with (octal): Postfix's user must be "
        "able to write to it.",
    ),
    workers: int = typer.Option(
        0,
        envvar="CHINHTHONG_MILTER_WORKERS",
        min=0,
        max=256,
        help="Engine worker processes (default: one per core).",
    ),
) -> None:
    """Filter mail for Postfix or Sendmail: mark, warn, quarantine or refuse by verdict."""
    from chinhthong.gateway import milter as gateway_milter
    from chinhthong.gateway.engine_pool import EnginePool, WorkerRefused
    from chinhthong.gateway.policy import Policy, PolicyError

    logging.basicConfig(level=logging.INFO, format="chinhthong milter: %(message)s")
    if not _LISTEN.fullmatch(listen):
        _fail(
            _("--listen must be inet:PORT@HOST or unix:/path, not %(value)s.") % {"value": listen}
        )
    try:
        umask = int(socket_umask, 8)
    except ValueError:
        umask = -1
    if not 0 <= umask <= 0o777:
        _fail(
            _("--socket-umask must be an octal number such as 007, not %(value)s.")
            % {"value": socket_umask}
        )
    try:
        policy = Policy.parse(banner, quarantine, reject, authserv_id)
    except PolicyError as exc:
        _fail(_("The policy cannot be used: %(error)s") % {"error": exc})
    source = _source_args(snapshot, signature, public_key, blocklist)
    if snapshot is not None:
        _check_snapshot(snapshot, signature, public_key, blocklist)
    pool = EnginePool(source, workers or _cores(), deadline)
    try:
        pool.start()
    except WorkerRefused as exc:
        _fail(_("The engine cannot start: %(error)s") % {"error": exc})
    err.print(
        _("Milter listening on %(listen)s with %(workers)s engine workers.")
        % {"listen": listen, "workers": pool.size},
        markup=False,
    )
    os.umask(umask)  # the unix socket libmilter makes; nothing else is written from here
    try:
        gateway_milter.run(listen, pool, policy)
    finally:
        pool.stop()


def _source_args(snapshot, signature, public_key, blocklist) -> list[str]:
    if snapshot is None:
        if signature or public_key or blocklist:
            _fail(_("--signature, --public-key and --blocklist go with --snapshot."))
        return ["--database"]
    if signature is None or public_key is None:
        _fail(_("A snapshot needs its signature (--signature) and the public key (--public-key)."))
    args = ["--snapshot", str(snapshot), "--signature", str(signature)]
    args += ["--public-key", str(public_key)]
    return args + (["--blocklist", str(blocklist)] if blocklist else [])


def _check_snapshot(snapshot, signature, public_key, blocklist) -> None:
    """Refuse to start on a snapshot that does not verify, saying why in the reader's words;
    the workers check it again themselves."""
    from chinhthong.gateway.snapshot_file import SnapshotFiles, SnapshotRefused, load_engine

    problems = {
        "bad signature": _(
            "The registry snapshot's signature does not verify with the public key: the file "
            "was changed, or not signed by the province's key."
        ),
        "unreadable signature": _("The snapshot's signature file cannot be read as a signature."),
        "bad public key": _(
            "The public key file is not the province's Ed25519 public key (registry.pub)."
        ),
        "unreadable file": _("A file of the snapshot cannot be read."),
        "not a snapshot": _("The snapshot file is not a registry snapshot."),
    }
    try:
        load_engine(SnapshotFiles(snapshot, signature, public_key, blocklist))
    except SnapshotRefused as exc:
        _fail(f"{problems[exc.problem]} ({exc})")


def _fail(message: str) -> None:
    err.print(one_line(message), markup=False)
    raise typer.Exit(2)
