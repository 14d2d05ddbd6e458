"""The milter's engine workers (engine_worker.py): a pool of child processes, each judging one
message at a time.

Why processes and not threads: one Python process judges on one core, and a thread that runs
past its deadline cannot be stopped. A worker that does not answer in time, dies, or is
stopped (SIGSTOP, the machine swapping) is killed and replaced in the background, and the
message is passed on unjudged — the milter fails open (milter.py). Reads and writes to a
worker wait at most until the message's deadline.
"""

import logging
import os
import pickle
import queue
import select
import subprocess
import sys
import threading
import time

from chinhthong.gateway.engine_worker import FAILED, HEADER, READY, REFUSED

log = logging.getLogger(__name__)
RESPAWN_PAUSE = 5.0  # between attempts when a new worker cannot start


class Unjudged(Exception):
    """The message could not be judged; ``code`` goes in the fail-open header."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


DEADLINE = "deadline"
ENGINE_ERROR = "engine-error"
NO_ENGINE = "engine-unavailable"


class WorkerRefused(Exception):
    """A new worker could not build its engine (a snapshot that does not verify)."""


class _Worker:
    def __init__(self, command: list[str], ready_timeout: float):
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._in = self.process.stdin.fileno()
        self._out = self.process.stdout.fileno()
        os.set_blocking(self._in, False)
        os.set_blocking(self._out, False)
        try:
            first = self._receive(time.monotonic() + ready_timeout)
        except Unjudged as exc:
            self.kill()
            raise WorkerRefused(f"the engine worker did not start ({exc.code})") from exc
        if first != READY:
            self.kill()
            raise WorkerRefused(first.removeprefix(REFUSED).decode("utf-8", "replace"))

    def ask(self, raw: bytes, deadline: float) -> bytes:
        self._send(HEADER.pack(len(raw)) + raw, deadline)
        return self._receive(deadline)

    def _send(self, data: bytes, deadline: float) -> None:
        view = memoryview(data)
        while view:
            self._wait(self._in, deadline, write=True)
            try:
                view = view[os.write(self._in, view) :]
            except BlockingIOError:
                continue
            except OSError as exc:  # the worker died: a broken pipe
                raise Unjudged(ENGINE_ERROR) from exc

    def _receive(self, deadline: float) -> bytes:
        buffer = bytearray()
        size = None
        while size is None or len(buffer) < HEADER.size + size:
            self._wait(self._out, deadline, write=False)
            try:
                chunk = os.read(self._out, 1 << 20)
            except BlockingIOError:
                continue
            if not chunk:  # end of file: the worker died
                raise Unjudged(ENGINE_ERROR)
            buffer += chunk
            if size is None and len(buffer) >= HEADER.size:
                (size,) = HEADER.unpack_from(buffer)
        return bytes(buffer[HEADER.size :])

    @staticmethod
    def _wait(fd: int, deadline: float, *, write: bool) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Unjudged(DEADLINE)
        wanted = ([], [fd], []) if write else ([fd], [], [])
        if not any(select.select(*wanted, remaining)):
            raise Unjudged(DEADLINE)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            stream.close()


class EnginePool:
    def __init__(self, worker_args: list[str], size: int, deadline: float, ready_timeout=300.0):
        self.command = [sys.executable, "-m", "chinhthong.gateway.engine_worker", *worker_args]
        self.size = size
        self.deadline = deadline
        self.ready_timeout = ready_timeout
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()

    def start(self) -> None:
        """Start every worker; WorkerRefused if the first cannot build its engine."""
        self._add(_Worker(self.command, self.ready_timeout))
        for _ in range(self.size - 1):
            self._respawn_later(pause=0.0)

    def judge(self, raw: bytes):
        """The Result for ``raw``; Unjudged when no worker answered in time."""
        deadline = time.monotonic() + self.deadline
        try:
            worker = self._idle.get(timeout=self.deadline)
        except queue.Empty:
            raise Unjudged(NO_ENGINE) from None
        try:
            answer = worker.ask(raw, deadline)
        except Unjudged:
            self._replace(worker)
            raise
        self._idle.put(worker)
        if answer.startswith(FAILED):
            raise Unjudged(ENGINE_ERROR)
        return pickle.loads(answer)  # noqa: S301 (our own child's answer)

    def worker_pids(self) -> list[int]:
        with self._lock:
            return sorted(worker.process.pid for worker in self._all)

    def stop(self) -> None:
        self._stopped.set()
        with self._lock:
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.kill()

    def _add(self, worker: _Worker) -> None:
        with self._lock:
            if self._stopped.is_set():
                worker.kill()
                return
            self._all.add(worker)
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        log.warning("engine worker %d replaced (no answer in time, or it died)", worker.process.pid)
        self._respawn_later(pause=0.0)

    def _respawn_later(self, pause: float) -> None:
        threading.Thread(target=self._respawn, args=(pause,), daemon=True).start()

    def _respawn(self, pause: float) -> None:
        while not self._stopped.wait(pause):
            try:
                self._add(_Worker(self.command, self.ready_timeout))
                return
            except (WorkerRefused, OSError) as exc:
                log.error("a new engine worker could not start: %s", exc)
                pause = RESPAWN_PAUSE
