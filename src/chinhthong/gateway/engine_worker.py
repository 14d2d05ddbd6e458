"""One engine worker of the milter: a child process that judges the messages its parent hands
it, one at a time, and answers with the Result.

The milter keeps several (engine_pool.py): they use every core (one Python process judges on
one), and a worker that overruns the deadline or dies is killed and replaced without touching
the milter or the mail in flight. Started as ``python -m chinhthong.gateway.engine_worker``
with the engine's source in its arguments:

    --database            the installation's database (Django settings from the environment),
                          reloaded when the registry or the blocklists change (checks/engines.py)
    --snapshot F --signature F --public-key F [--blocklist F]
                          a signed snapshot file (snapshot_file.py)

Frames on stdin and stdout: a 4-byte big-endian length, then the bytes. In: the raw message.
Out: a pickled Result, or b"failed:" and why when judging raised. The first frame out,
before any message, is b"ready" once the engine is built, or b"refused:" and why.
"""

import argparse
import logging
import os
import pickle
import signal
import struct
import sys
from pathlib import Path

HEADER = struct.Struct(">I")
READY = b"ready"
REFUSED = b"refused:"
FAILED = b"failed:"


def read_frame(stream) -> bytes | None:
    head = stream.read(HEADER.size)
    if len(head) < HEADER.size:
        return None
    (size,) = HEADER.unpack(head)
    body = stream.read(size)
    return body if len(body) == size else None


def write_frame(stream, data: bytes) -> None:
    stream.write(HEADER.pack(len(data)) + data)
    stream.flush()


def _judge_function(args):
    """A function raw -> Result, for the source the arguments name."""
    if args.database:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chinhthong.config.settings")
        from chinhthong.config.check_setup import setup_for_checks

        setup_for_checks()
        from chinhthong.checks import services

        services.check_email(b"From: warm-up@invalid\r\n\r\n")  # builds the engine now
        return services.check_email
    from chinhthong.gateway.snapshot_file import SnapshotEngine, SnapshotFiles
    from chinhthong.verify.mail import check_message

    source = SnapshotEngine(
        SnapshotFiles(
            Path(args.snapshot),
            Path(args.signature),
            Path(args.public_key),
            Path(args.blocklist) if args.blocklist else None,
        )
    )
    return lambda raw: check_message(source.engine(), raw)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="chinhthong.gateway.engine_worker")
    parser.add_argument("--database", action="store_true")
    parser.add_argument("--snapshot")
    parser.add_argument("--signature")
    parser.add_argument("--public-key")
    parser.add_argument("--blocklist")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="engine worker %(process)d: %(message)s")
    # Ctrl-C reaches the whole process group: the milter stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but frames on the parent's pipe
    from chinhthong.gateway.snapshot_file import SnapshotRefused

    try:
        judge = _judge_function(args)
    except SnapshotRefused as exc:
        write_frame(stdout, REFUSED + str(exc).encode("utf-8", "replace"))
        return 2
    write_frame(stdout, READY)
    while (raw := read_frame(stdin)) is not None:
        try:
            answer = pickle.dumps(judge(raw), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # the milter fails open on it; this worker carries on
            logging.getLogger(__name__).exception("judging failed")
            answer = FAILED + type(exc).__name__.encode()
        write_frame(stdout, answer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
