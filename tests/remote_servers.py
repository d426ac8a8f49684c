"""Real servers on 127.0.0.1 for the remote-path tests: an HTTP server with Range support
(``http.server`` has none) that counts requests and bytes, a counting proxy to put in
front of another server (moto's S3, HSDS), and HSDS itself."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

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
        self.server.count(self.command, self.path, sent)

    def do_HEAD(self):
        self.server.count("HEAD", self.path, 0)
        super().do_HEAD()


class _Counting(ThreadingHTTPServer):
    """A server on 127.0.0.1 (a free port) in its own thread; ``requests``/``bytes`` count
    the requests answered and the body bytes sent, ``log`` their method and path."""

    daemon_threads = True

    def __init__(self, handler) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.requests = 0
        self.bytes = 0
        self.log: list[str] = []
        self._count_lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def count(self, method: str, path: str, sent: int) -> None:
        with self._count_lock:
            self.requests += 1
            self.bytes += sent
            self.log.append(f"{method} {path} {sent}")

    def reset(self) -> None:
        with self._count_lock:
            self.requests = self.bytes = 0
            self.log.clear()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class RangeServer(_Counting):
    """Serves ``directory`` with Range support."""

    def __init__(self, directory) -> None:
        super().__init__(partial(_Handler, directory=str(directory)))


class _Forward(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the clients (boto, requests) expect
    HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection"}

    def log_message(self, *args) -> None:
        pass

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in self.HOP}
        conn = http.client.HTTPConnection(*self.server.target, timeout=120)
        try:
            conn.request(self.command, self.path, body=body, headers=headers)
            answer = conn.getresponse()
            data = answer.read()
        finally:
            conn.close()
        head = self.command == "HEAD"  # no body, but the length of the one a GET would give
        self.send_response(answer.status, answer.reason)
        for key, value in answer.getheaders():
            if key.lower() not in self.HOP:
                self.send_header(key, value)
        self.send_header("Content-Length", answer.getheader("Content-Length", "0") if head else str(len(data)))
        self.end_headers()
        if not head:
            self.wfile.write(data)
        self.server.count(self.command, self.path, len(data))

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward


class CountingProxy(_Counting):
    """Forwards every request to ``host:port`` and counts what it answered."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, int(port))
        super().__init__(_Forward)


class ServerUnavailable(Exception):
    """The server cannot run here (not installed, port taken, did not start): the reason."""


@contextlib.contextmanager
def hsds_server(root: Path, user: str = "tester", password: str = "pw-secret"):
    """A running HSDS (one data node, POSIX storage under ``root``) with the folders /home/
    and /home/USER/; yields the environment that h5pyd and hsload read."""
    bin_dir = Path(sys.executable).parent
    server_bin = shutil.which("hsds", path=str(bin_dir))
    if server_bin is None or shutil.which("hsload", path=str(bin_dir)) is None:
        raise ServerUnavailable("the hsds package (server and hsload) is not installed")
    with socket.socket() as probe:  # HSDS puts its data node on 6101 whatever the service port
        if probe.connect_ex(("127.0.0.1", 6101)) == 0:
            raise ServerUnavailable("port 6101 is taken (HSDS's data node port is fixed): another HSDS running?")
    (root / "hsdstest").mkdir(parents=True)
    port = free_port()
    env = dict(os.environ, HS_ENDPOINT=f"http://127.0.0.1:{port}", HS_USERNAME=user, HS_PASSWORD=password,
               HS_BUCKET="hsdstest")
    log_path = root / "hsds.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen([server_bin, "--root_dir", str(root), "--bucket_name", "hsdstest", "--hs_username",
                                   user, "--hs_password", password, "--host", "127.0.0.1", "--port", str(port),
                                   "--count", "1", "--loglevel", "ERROR", "--logfile", str(root / "server.log")],
                                  stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while "READY" not in log_path.read_text():
                if server.poll() is not None or time.monotonic() > deadline:
                    raise ServerUnavailable(f"the HSDS server did not start: {log_path.read_text()[-300:]}")
                time.sleep(0.3)
            for folder in ("/home/", f"/home/{user}/"):
                subprocess.run([str(bin_dir / "hstouch"), folder], env=env, capture_output=True, timeout=60)
            yield env
        finally:
            os.killpg(server.pid, 15)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, 9)
