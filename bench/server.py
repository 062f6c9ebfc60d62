"""Start and stop a real gunicorn on 127.0.0.1, and read its worker's memory.

The benchmarks measure the application as it is deployed (gunicorn's default sync
workers, `webapp:create_app()`), so they drive a gunicorn subprocess rather than a
test client. Only processes started here are ever signalled, by their pid.
"""
import os
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from gunicorn.config import KNOWN_SETTINGS

from bench.load import fetch

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
# gunicorn 24+ opens a control socket under ~/.gunicorn by default: not for a benchmark.
_NO_CONTROL_SOCKET = ["--no-control-socket"] if any(
    s.name == "control_socket_disable" for s in KNOWN_SETTINGS
) else []


def free_port() -> int:
    """A port nobody listens on right now (the kernel picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    """Pids whose parent is `pid` (gunicorn's workers), read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # the process ended meanwhile
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of one process (VmRSS), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


class Server:
    """A running gunicorn: its port, its master process and its log file."""

    def __init__(self, port: int, process: subprocess.Popen, log: Path):
        self.port = port
        self.process = process
        self.log = log

    def workers(self) -> list[int]:
        return children(self.process.pid)

    def log_tail(self, lines: int = 15) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def wait_ready(self, host: str, workers: int, timeout: float = 60.0) -> None:
        """Wait until every worker has booted and GET /sante answers 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited (code {self.process.returncode}):\n{self.log_tail()}")
            try:
                status = fetch(self.port, _probe(host))
                if status == 200 and self.log.read_text(errors="replace").count("Booting worker") >= workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not ready after {timeout:.0f} s:\n{self.log_tail()}")


def _probe(host: str) -> bytes:
    return f"GET /sante HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()


@contextmanager
def gunicorn(env: dict[str, str], workers: int, log: Path, ready_host: str = "localhost",
             extra_args: list[str] = ()):
    """Run `gunicorn --workers N "webapp:create_app()"` with `env` added; always stopped after.

    `extra_args` go on gunicorn's command line (e.g. an access log whose lines go to `log`).
    """
    port = free_port()
    full_env = {**os.environ, "PORT": str(port), "DEMO": "0", "PRODUCTION": "0", **env}
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(GUNICORN), "--workers", str(workers), "--bind", f"127.0.0.1:{port}", *_NO_CONTROL_SOCKET,
             *extra_args, "webapp:create_app()"],
            cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT,
        )
    server = Server(port, process, log)
    try:
        server.wait_ready(ready_host, workers)
        yield server
    finally:
        _stop(server)


def _stop(server: Server) -> None:
    """TERM the master (it stops its workers); KILL it and its workers if it lingers."""
    process = server.process
    if process.poll() is not None:
        return
    workers = server.workers()
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        for pid in workers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.kill()
        process.wait()
