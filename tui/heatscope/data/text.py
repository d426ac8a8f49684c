"""Turning bytes and attribute values from files into safe, literal display text."""

from __future__ import annotations

import re

import numpy as np

# C0 and C1 control characters and DEL: shown escaped so a file can never drive the terminal.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def decode(value: object) -> str:
    """Decode a bytes-like or numpy string scalar to ``str`` (UTF-8, falling back to Latin-1)."""
    if isinstance(value, (bytes, np.bytes_)):
        raw = bytes(value)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("latin-1")
    return str(value)


def printable(text: str) -> str:
    """Return ``text`` with control characters (ESC, BEL, newlines...) escaped as ``\\xNN``."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def format_number(value: object) -> str:
    """Format a numeric tick label compactly: integers plainly, floats with 6 significant digits."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        f = float(value)
        if f.is_integer() and abs(f) < 1e15:
            return str(int(f))
        return f"{f:.6g}"
    return decode(value)


def attr_text(value: object) -> str | None:
    """A string attribute's text (scalar or 1-element array), else ``None``."""
    if isinstance(value, np.ndarray):
        if value.size != 1:
            return None
        value = value.reshape(()).item()
    if isinstance(value, (str, bytes, np.str_, np.bytes_)):
        return decode(value)
    return None


def attr_strings(value: object) -> list[str] | None:
    """A list-of-strings attribute (array, or one string split on commas/whitespace)."""
    single = attr_text(value)
    if single is not None:
        parts = [p for p in re.split(r"[,\s]+", single.strip()) if p]
        return parts or None
    if isinstance(value, np.ndarray) and value.ndim == 1:
        items = [attr_text(v) for v in value]
        if all(i is not None for i in items):
            return [i for i in items if i is not None]
    if isinstance(value, (list, tuple)):
        items = [attr_text(v) for v in value]
        if all(i is not None for i in items):
            return [i for i in items if i is not None]
    return None
