"""A flaky local HTTP server for the image sync tests and benchmark (stdlib only).

It serves blobs (bytes, memoryviews, or files mapped into memory) at fixed paths:

- `GET`/`HEAD` with `Content-Length`, HTTP/1.1 keep-alive; `Range: bytes=N-` (and `N-M`)
  answers 206 with `Content-Range`, a range past the end 416 with `bytes */<size>`;
  unknown paths answer 404 (and are counted like any other request).
- It breaks transfers on purpose: a response body stops after a chosen number of bytes and
  the connection is closed (FIN by default, RST with `drop_mode="rst"`) without finishing.
  Which requests break is deterministic: a per-path schedule (one entry per request of that
  path: None = no break, a float in (0, 1) = break after that fraction of the body, an int =
  break after that many body bytes), else a seeded draw per (path, request number) against
  `drop_fraction`, breaking at a uniformly drawn byte of the body. Two servers with the same
  seed and blobs therefore break the n-th request of a path the same way.
- An optional total bandwidth cap (bytes/s) shared by every connection (a token bucket with
  reservations: each chunk reserves its size and sleeps until its turn, outside the lock).
- Statistics: requests and body bytes sent per path and in total, a log of every request
  (times, range start, status, bytes, whether it broke), open connections and body
  transfers now and at their peak.

Bodies go out in 64 KiB memoryview slices (no copies), from a ThreadingHTTPServer with
daemon threads: 40 parallel 32 MiB transfers are no trouble.

    with FlakyHTTPServer(drop_fraction=0.25, seed=7, bandwidth=200 << 20) as server:
        server.add_blob("/images/a.img", data)
        url = server.url("/images/a.img")
        ...
        server.bytes_sent("/images/a.img"), server.requests("/images/a.img")
"""

from __future__ import annotations

import argparse
import hashlib
import mmap
import os
import random
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterable, Union

CHUNK = 64 << 10
DropPoint = Union[None, float, int]

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$")


class TokenBucket:
    """A byte rate shared by threads. `take(n)` reserves n bytes and sleeps until they are
    due; the balance may go negative (a reservation), so waiters queue up in order."""

    def __init__(self, rate: float, burst: float | None = None):
        self.rate = float(rate)
        self.burst = float(burst if burst is not None else max(CHUNK, rate / 20))
        self._tokens = self.burst
        self._last = time.monotonic()
        self._lock = threading.Lock()

    def take(self, n: int) -> None:
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            self._tokens -= n
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:
            time.sleep(wait)


@dataclass
class RequestRecord:
    """One request as the server saw it (times are time.monotonic())."""
    path: str
    index: int                      # n-th request of this path, from 0
    method: str
    start: float
    range_header: str | None = None
    range_start: int = 0
    status: int = 0
    body_length: int = 0            # the Content-Length announced
    bytes_sent: int = 0
    drop_at: int | None = None      # planned break (body bytes), None if none
    dropped: bool = False           # the body was cut on purpose
    aborted: bool = False           # the client went away first
    end: float | None = None
    headers: dict = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.dropped and not self.aborted and self.bytes_sent == self.body_length


class _Blob:
    def __init__(self, data: memoryview, keep: object = None):
        self.data = data
        self.keep = keep            # what owns the memory (an mmap, a bytes object)
        self._sha: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)

    def sha256(self) -> str:
        if self._sha is None:
            self._sha = hashlib.sha256(self.data).hexdigest()
        return self._sha


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    flaky: "FlakyHTTPServer"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FlakyHTTP/1.0"
    timeout = 120                   # an idle keep-alive connection goes after this

    # -- connection bookkeeping -------------------------------------------------------------

    def setup(self) -> None:
        super().setup()
        self.flaky = self.server.flaky
        self.flaky._connection_opened()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.flaky._connection_closed()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's name
        if self.flaky.verbose:
            super().log_message(format, *args)

    # -- requests ---------------------------------------------------------------------------

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def _serve(self, send_body: bool) -> None:
        flaky = self.flaky
        path = self.path.split("?", 1)[0]
        record = flaky._new_record(path, self.command, dict(self.headers.items()))
        record.range_header = self.headers.get("Range")
        try:
            blob = flaky._blobs.get(path)
            if blob is None:
                body = b"<?xml version=\"1.0\"?><Error><Code>NotFound</Code><Message>no such blob</Message></Error>"
                record.status = 404
                self.send_response(404)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if send_body:
                    self.wfile.write(body)
                return
            size = blob.size
            start, end = 0, size            # [start, end)
            status = 200
            if record.range_header:
                match = _RANGE.match(record.range_header)
                if match and (match.group(1) or match.group(2)):
                    first, last = match.group(1), match.group(2)
                    if first:
                        start = int(first)
                        end = min(size, int(last) + 1) if last else size
                    else:                   # bytes=-N: the last N bytes
                        start = max(0, size - int(last))
                    if start >= size or start >= end:
                        record.status = 416
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{size}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    status = 206
            record.status = status
            record.range_start = start
            length = end - start
            record.body_length = length
            self.send_response(status)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(length))
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("ETag", f"\"{blob.sha256()[:16]}\"" if flaky.etags else "\"x\"")
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{end - 1}/{size}")
            self.end_headers()
            if not send_body or length == 0:
                return
            drop_at = flaky._drop_point(path, record.index, length) if self.command == "GET" else None
            record.drop_at = drop_at
            self._send_body(blob.data[start:end], drop_at, record)
        except (BrokenPipeError, ConnectionResetError, socket.timeout, TimeoutError):
            record.aborted = True
            self.close_connection = True
        finally:
            record.end = time.monotonic()

    def _send_body(self, view: memoryview, drop_at: int | None, record: RequestRecord) -> None:
        flaky = self.flaky
        limit = len(view) if drop_at is None else drop_at
        sent = 0
        flaky._transfer_started()
        try:
            while sent < limit:
                n = min(flaky.chunk_size, limit - sent)
                if flaky._bucket is not None:
                    flaky._bucket.take(n)
                self.wfile.write(view[sent:sent + n])
                sent += n
                record.bytes_sent = sent
                flaky._count(record.path, n)
        finally:
            flaky._transfer_finished()
        if drop_at is not None:
            record.dropped = True
            self.close_connection = True
            self._break_connection()

    def _break_connection(self) -> None:
        """Ends the connection mid-body: FIN after the bytes already written (the client reads
        them, then a premature end), or RST."""
        sock = self.connection
        try:
            if self.flaky.drop_mode == "rst":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass


class FlakyHTTPServer:
    """See the module docstring. Thread-safe; start() or use as a context manager."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, drop_fraction: float = 0.0,
                 seed: int | str = 0, bandwidth: float | None = None, chunk_size: int = CHUNK,
                 drop_mode: str = "fin", verbose: bool = False, etags: bool = True):
        assert drop_mode in ("fin", "rst"), drop_mode
        self.host = host
        self.drop_fraction = float(drop_fraction)
        self.seed = seed
        self.chunk_size = int(chunk_size)
        self.drop_mode = drop_mode
        self.verbose = verbose
        self.etags = etags
        self._bucket = TokenBucket(bandwidth) if bandwidth else None
        self._blobs: dict[str, _Blob] = {}
        self._schedules: dict[str, list[DropPoint]] = {}
        self._lock = threading.Lock()
        self._log: list[RequestRecord] = []
        self._requests: dict[str, int] = {}
        self._bytes: dict[str, int] = {}
        self._total_bytes = 0
        self._connections = 0
        self._peak_connections = 0
        self._transfers = 0
        self._peak_transfers = 0
        self._httpd = _Server((host, port), _Handler)
        self._httpd.flaky = self
        self.port = self._httpd.server_address[1]
        self._thread: threading.Thread | None = None

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> "FlakyHTTPServer":
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                            name=f"flaky-http-{self.port}", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(10)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> "FlakyHTTPServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    # -- content ----------------------------------------------------------------------------

    def add_blob(self, path: str, data: bytes | bytearray | memoryview) -> str:
        """Serves `data` at `path` (no copy of a memoryview); returns the URL."""
        assert path.startswith("/"), path
        view = data if isinstance(data, memoryview) else memoryview(data)
        self._blobs[path] = _Blob(view.cast("B") if view.format != "B" else view, keep=data)
        return self.url(path)

    def add_file(self, path: str, file: str | os.PathLike) -> str:
        """Serves a file's bytes at `path`, mapped into memory (read-only)."""
        with open(file, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            mapped = mmap.mmap(f.fileno(), size, access=mmap.ACCESS_READ) if size else b""
        return self.add_blob(path, memoryview(mapped))

    def remove(self, path: str) -> None:
        self._blobs.pop(path, None)

    def size(self, path: str) -> int:
        return self._blobs[path].size

    def sha256(self, path: str) -> str:
        return self._blobs[path].sha256()

    def set_schedule(self, path: str, points: Iterable[DropPoint]) -> None:
        """Breaks for the requests of `path` in order (see the module docstring); requests past
        the list's end fall back to the seeded draw."""
        self._schedules[path] = list(points)

    def set_bandwidth(self, bandwidth: float | None) -> None:
        self._bucket = TokenBucket(bandwidth) if bandwidth else None

    # -- statistics -------------------------------------------------------------------------

    def requests(self, path: str | None = None) -> int:
        with self._lock:
            return sum(self._requests.values()) if path is None else self._requests.get(path, 0)

    def bytes_sent(self, path: str | None = None) -> int:
        """Body bytes handed to the socket for `path` (all paths when None)."""
        with self._lock:
            return self._total_bytes if path is None else self._bytes.get(path, 0)

    def log(self, path: str | None = None) -> list[RequestRecord]:
        with self._lock:
            return [r for r in self._log if path is None or r.path == path]

    @property
    def connections(self) -> int:
        return self._connections

    @property
    def peak_connections(self) -> int:
        return self._peak_connections

    @property
    def transfers(self) -> int:
        return self._transfers

    @property
    def peak_transfers(self) -> int:
        """Most response bodies being sent at once."""
        return self._peak_transfers

    def reset_stats(self) -> None:
        with self._lock:
            self._log.clear()
            self._requests.clear()
            self._bytes.clear()
            self._total_bytes = 0
            self._peak_connections = self._connections
            self._peak_transfers = self._transfers

    # -- internals (called by the handler) --------------------------------------------------

    def _new_record(self, path: str, method: str, headers: dict) -> RequestRecord:
        with self._lock:
            index = self._requests.get(path, 0)
            self._requests[path] = index + 1
            record = RequestRecord(path=path, index=index, method=method, start=time.monotonic(),
                                   headers=headers)
            self._log.append(record)
            return record

    def _drop_point(self, path: str, index: int, length: int) -> int | None:
        """Body bytes to send before breaking the index-th request of `path`, or None."""
        if length < 2:
            return None
        schedule = self._schedules.get(path)
        if schedule is not None and index < len(schedule):
            point = schedule[index]
            if point is None:
                return None
            if isinstance(point, float):
                return min(length - 1, max(1, int(length * point)))
            return min(length - 1, max(1, int(point)))
        if self.drop_fraction <= 0:
            return None
        rng = random.Random(f"{self.seed}/{path}/{index}")
        if rng.random() >= self.drop_fraction:
            return None
        return rng.randint(1, length - 1)

    def _count(self, path: str, n: int) -> None:
        with self._lock:
            self._bytes[path] = self._bytes.get(path, 0) + n
            self._total_bytes += n

    def _connection_opened(self) -> None:
        with self._lock:
            self._connections += 1
            self._peak_connections = max(self._peak_connections, self._connections)

    def _connection_closed(self) -> None:
        with self._lock:
            self._connections -= 1

    def _transfer_started(self) -> None:
        with self._lock:
            self._transfers += 1
            self._peak_transfers = max(self._peak_transfers, self._transfers)

    def _transfer_finished(self) -> None:
        with self._lock:
            self._transfers -= 1


def _main() -> None:
    parser = argparse.ArgumentParser(description="Serve the files of a directory, flakily.")
    parser.add_argument("directory")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--drop-fraction", type=float, default=0.0)
    parser.add_argument("--seed", default="0")
    parser.add_argument("--bandwidth", type=float, default=None, help="bytes per second, all connections together")
    args = parser.parse_args()
    server = FlakyHTTPServer(port=args.port, drop_fraction=args.drop_fraction, seed=args.seed,
                             bandwidth=args.bandwidth, verbose=True)
    root = Path(args.directory)
    for file in sorted(p for p in root.rglob("*") if p.is_file()):
        server.add_file("/" + file.relative_to(root).as_posix(), file)
    print(f"serving {root} at {server.base_url}", flush=True)
    server.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    _main()
