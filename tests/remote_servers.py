"""Real servers on 127.0.0.1 for the remote-path tests: an HTTP server with Range support
(``http.server`` has none) that counts requests and bytes, and moto's S3 server."""

from __future__ import annotations

import os
import re
import socket
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

RANGE = re.compile(r"bytes=(\d+)-(\d*)$")


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on (for servers that take a port number)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path) or "Range" not in self.headers:
            return super().send_head()
        match = RANGE.match(self.headers["Range"].strip())
        size = os.path.getsize(path)
        start = int(match.group(1))
        end = min(int(match.group(2)) if match.group(2) else size - 1, size - 1)
        if start >= size:
            self.send_error(416)
            return None
        fh = open(path, "rb")
        fh.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self._remaining = end - start + 1
        return fh

    def copyfile(self, source, outputfile) -> None:
        remaining = getattr(self, "_remaining", None)
        sent = 0
        while remaining is None or sent < remaining:
            block = source.read(65536 if remaining is None else min(65536, remaining - sent))
            if not block:
                break
            outputfile.write(block)
            sent += len(block)
        self.server.count(self.command, sent)

    def do_HEAD(self):
        self.server.count("HEAD", 0)
        super().do_HEAD()


class RangeServer(ThreadingHTTPServer):
    """Serves ``directory`` on 127.0.0.1; ``requests``/``bytes`` count what was asked."""

    daemon_threads = True

    def __init__(self, directory) -> None:
        super().__init__(("127.0.0.1", 0), partial(_Handler, directory=str(directory)))
        self.requests = 0
        self.bytes = 0
        self._count_lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def count(self, method: str, sent: int) -> None:
        with self._count_lock:
            self.requests += 1
            self.bytes += sent

    def reset(self) -> None:
        with self._count_lock:
            self.requests = self.bytes = 0

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
