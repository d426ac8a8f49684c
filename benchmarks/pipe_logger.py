"""Reads a tmux pane's output (``pipe-pane -O``) and appends it to a file as timestamped
records: 8-byte monotonic nanoseconds, 4-byte length, bytes. Used by terminal_bench.py."""

import os
import struct
import sys
import time

with open(sys.argv[1], "ab", buffering=0) as out:
    while True:
        chunk = os.read(0, 65536)
        if not chunk:
            break
        out.write(struct.pack("<qI", time.monotonic_ns(), len(chunk)) + chunk)
