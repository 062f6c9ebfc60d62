"""A small HTTP/1.1 load generator: a few client processes, each one keep-alive connection.

Why not http.client: on a 2-core machine the client shares the CPU with gunicorn,
and a leaner client skews the figures less. Each exchange sends a prepared request
and reads the status line, the headers and exactly Content-Length bytes; when the
server closes (gunicorn's sync workers answer `Connection: close`), the client
reconnects. Every run ends by itself at its deadline.
"""
import multiprocessing
import multiprocessing.pool
import signal
import socket
import time
from dataclasses import dataclass

Connection = tuple[socket.socket, object]  # the socket and its buffered reader


def request_bytes(host: str, path: str = "/", cookie: str | None = None) -> bytes:
    """A GET for `path` on the virtual host `host` (the Host header selects the commune)."""
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", "User-Agent: portail-famille-bench", "Accept: text/html"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def open_connection(port: int) -> Connection:
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock, sock.makefile("rb")


def exchange(connection: Connection, request: bytes) -> tuple[int, bool]:
    """Send one request and read its whole response: (status, server closed the connection)."""
    sock, reader = connection
    sock.sendall(request)
    status_line = reader.readline()
    if not status_line:
        raise ConnectionError("connection closed before any response")
    length, close = None, False
    while (line := reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection":
            close = value.strip().lower() == b"close"
    if length is None:
        reader.read()  # no length: the body ends when the server closes
        close = True
    else:
        reader.read(length)
    if close:
        reader.close()
        sock.close()
    return int(status_line.split()[1]), close


def _client(port: int, request: bytes, deadline: float) -> tuple[int, int]:
    """One connection looping until `deadline`: (responses 200, other outcomes)."""
    ok = bad = 0
    connection = None
    while time.monotonic() < deadline:
        try:
            connection = connection or open_connection(port)
            status, closed = exchange(connection, request)
        except OSError:
            bad += 1
            connection = None
            continue
        ok += status == 200
        bad += status != 200
        if closed:
            connection = None
    return ok, bad


def processes(count: int) -> multiprocessing.pool.Pool:
    """A pool of `count` forked processes that die on SIGTERM, whatever the parent's handler."""
    return multiprocessing.get_context("fork").Pool(count, signal.signal, (signal.SIGTERM, signal.SIG_DFL))


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def __add__(self, other: "Result") -> "Result":
        return Result(self.requests + other.requests, self.errors + other.errors, self.seconds + other.seconds)


def hammer(port: int, host: str, path: str = "/", seconds: float = 4.0, connections: int = 4,
           cookie: str | None = None) -> Result:
    """Throughput of GET `path` on `host` with `connections` concurrent clients for `seconds`
    (as a signed-in visitor when `cookie` is given)."""
    request = request_bytes(host, path, cookie)
    with processes(connections) as pool:
        started = time.monotonic()
        counts = pool.starmap(_client, [(port, request, started + seconds)] * connections)
        elapsed = time.monotonic() - started
    return Result(sum(ok for ok, _ in counts), sum(bad for _, bad in counts), elapsed)


def fetch(port: int, request: bytes) -> int:
    """One request on a connection of its own; returns the status."""
    sock, reader = connection = open_connection(port)
    try:
        status, _ = exchange(connection, request)
    finally:
        reader.close()
        sock.close()
    return status
