"""Turning bytes and attribute values from files into safe, literal display text.

``safe_text`` is the one function every string that comes from a file (names, attributes,
labels, file and directory names, error text quoting them) passes through before it
reaches the terminal, a widget or an export. It escapes, visibly, every character that
could drive a terminal or hide what a name says: C0 and C1 controls and DEL (ESC, BEL,
CSI...), bidirectional overrides and other invisible format characters (U+202E, U+200B,
U+FEFF...), line and paragraph separators (U+2028/9), lone surrogates (bytes of a name
that was not UTF-8 decode to them) and the noncharacters U+FFFE/U+FFFF. Rich markup is a
separate matter: file text is always handed to widgets as ``Text`` (never parsed), so
``[bold]`` in a name stays those seven characters.
"""

from __future__ import annotations

import re

import numpy as np

# Cc, Cf, Zl, Zp and Cs, listed as ranges (scanning unicodedata at import would cost ~0.3 s).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ufffe\uffff"
    "\ud800-\udfff\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (decoded with surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def safe_text(value: object) -> str:
    """``value`` as display-safe text: unsafe characters escaped as ``\\xNN``/``\\uNNNN``.

    Idempotent (an escaped string has nothing left to escape) and cheap for clean text.
    """
    text = value if isinstance(value, str) else decode(value)
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def decode_name(name: str | bytes) -> str:
    """An HDF5 link name as ``str``: h5py hands non-UTF-8 names over as bytes; those bytes
    are kept as surrogates so ``encode_name`` gives the exact name back."""
    return name.decode("utf-8", "surrogateescape") if isinstance(name, bytes) else name


def encode_name(path: str) -> str | bytes:
    """The key h5py needs for ``path``: bytes when it holds a non-UTF-8 name."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape")
    return path


def decode(value: object) -> str:
    """Decode a bytes-like or numpy string scalar to ``str`` (UTF-8, falling back to Latin-1)."""
    if isinstance(value, (bytes, np.bytes_)):
        raw = bytes(value)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("latin-1")
    return str(value)


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
    return safe_text(value)


def attr_text(value: object) -> str | None:
    """A string attribute's text (scalar or 1-element array), else ``None``. Not yet made
    safe: callers that show it use ``safe_text``; callers that compare it need it raw."""
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
