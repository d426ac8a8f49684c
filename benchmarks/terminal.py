"""A program in a real terminal (a private tmux server), with every byte it writes recorded
with its arrival time, keys sent through a tmux control-mode client, and the screen
rebuilt frame by frame with a terminal emulator (pyte) to see when it showed what.

A frame is a burst of output: chunks that arrive less than ``BURST_GAP`` apart (tmux does
not answer Textual's query for synchronized updates, so there is no end-of-frame marker).
A frame's time is when its last chunk arrived: the moment the terminal had all of it.
"""

from __future__ import annotations

import os
import re
import shlex
import struct
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyte

HERE = Path(__file__).resolve().parent
BURST_GAP_NS = 2_000_000


@dataclass
class Frame:
    time_ns: int
    screen: list[str]  # the screen's lines once the frame was written
    size: int = 0  # bytes written in the frame
    writes: int = 0  # chunks tmux passed on for it


class Terminal:
    """``cmd`` run in tmux at ``size``; it starts when ``start()`` is called."""

    def __init__(self, cmd: str, size: tuple[int, int] = (160, 48), rss: bool = False) -> None:
        self.size = size
        self.name = "hsb-" + uuid.uuid4().hex[:8]
        self.tmux = ["tmux", "-L", self.name]
        self.dir = Path(tempfile.mkdtemp(prefix="heatscope-term-"))
        self.log = self.dir / "out.bin"
        self.fifo = self.dir / "go"
        self.rss_file = self.dir / "rss"
        os.mkfifo(self.fifo)
        timed = f"/usr/bin/time -f %M -o {shlex.quote(str(self.rss_file))} " if rss else ""
        script = f"read _ < {shlex.quote(str(self.fifo))}; exec {timed}{cmd}"
        subprocess.run(self.tmux + ["new-session", "-d", "-s", self.name, "-x", str(size[0]), "-y", str(size[1]),
                                    "sh", "-c", script], check=True)
        logger = f"{shlex.quote(sys.executable)} {shlex.quote(str(HERE / 'pipe_logger.py'))} {shlex.quote(str(self.log))}"
        subprocess.run(self.tmux + ["pipe-pane", "-O", "-t", self.name, logger], check=True)
        self.control = subprocess.Popen(self.tmux + ["-C", "attach", "-t", self.name], stdin=subprocess.PIPE,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.started_ns = 0

    def start(self) -> int:
        """Release the program; returns the time it was released (monotonic ns)."""
        time.sleep(0.2)  # the logger is attached
        self.started_ns = time.monotonic_ns()
        with open(self.fifo, "w") as fifo:
            fifo.write("go\n")
        return self.started_ns

    def key(self, key: str) -> int:
        """Send one key (tmux key name); returns when it was sent (monotonic ns)."""
        sent = time.monotonic_ns()
        self.control.stdin.write(f"send-keys -t {self.name} {shlex.quote(key)}\n".encode())
        self.control.stdin.flush()
        return sent

    def frames(self) -> list[Frame]:
        """Every frame written so far, with the screen it left."""
        screen = pyte.Screen(*self.size)
        stream = pyte.ByteStream(screen)
        chunks = []
        data = self.log.read_bytes() if self.log.exists() else b""
        pos = 0
        while pos + 12 <= len(data):
            stamp, length = struct.unpack_from("<qI", data, pos)
            chunks.append((stamp, data[pos + 12:pos + 12 + length]))
            pos += 12 + length
        frames = []
        size = writes = 0
        for i, (stamp, chunk) in enumerate(chunks):
            stream.feed(chunk)
            size, writes = size + len(chunk), writes + 1
            last = i + 1 == len(chunks) or chunks[i + 1][0] - stamp > BURST_GAP_NS
            if last:
                frames.append(Frame(stamp, list(screen.display), size, writes))
                size = writes = 0
        return frames

    def wait_for(self, predicate: Callable[[list[str]], bool], timeout: float = 30.0) -> Frame:
        """The first frame whose screen satisfies ``predicate`` (waiting for it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for frame in self.frames():
                if predicate(frame.screen):
                    return frame
            time.sleep(0.02)
        raise RuntimeError("the screen never showed it")

    def peak_rss_mb(self) -> float:
        for _ in range(200):
            if self.rss_file.exists() and self.rss_file.read_text().strip():
                return int(self.rss_file.read_text().split()[-1]) / 1024
            time.sleep(0.05)
        return float("nan")

    def close(self) -> None:
        try:
            self.control.stdin.close()
        except OSError:
            pass
        self.control.kill()
        subprocess.run(self.tmux + ["kill-server"], capture_output=True)


def shows(pattern: str) -> Callable[[list[str]], bool]:
    """A predicate: some line of the screen matches ``pattern``."""
    regex = re.compile(pattern)
    return lambda lines: any(regex.search(line) for line in lines)


def region(lines: list[str], first_col: int) -> list[str]:
    """The screen's lines from column ``first_col`` on (the stats panel)."""
    return [line[first_col:] for line in lines]
