"""Reading ``.pt`` files safely: PyTorch (an optional extra) loads them with
``weights_only=True``, so a pickle that asks for anything but tensors and plain containers
is refused instead of run. Tensors come back as numpy arrays (bfloat16 as float32)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from heatscope.errors import HeatscopeError

INSTALL = "reading .pt files needs PyTorch: pip install 'heatscope[torch]'"


def load_pt(path: Path):
    """The object saved in ``path`` with every tensor turned into a numpy array."""
    try:
        import torch
    except ImportError:
        raise HeatscopeError(INSTALL, str(path)) from None
    import pickle

    try:
        loaded = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        text = str(exc)
        why = next((line.strip() for line in text.splitlines() if "GLOBAL" in line or "Unsupported" in line), "")
        raise HeatscopeError("refused: the pickle asks for more than tensors and plain containers"
                             + (f" ({why[:120]})" if why else ""), str(path)) from None
    except Exception:  # noqa: BLE001 - torch raises many types (and texts) for a file that is not its own
        raise HeatscopeError(_unreadable(path), str(path)) from None
    return _to_numpy(loaded, torch)


def _unreadable(path: Path) -> str:
    """Why torch could not read ``path``, in one plain line (torch's own texts name its internals)."""
    import zipfile

    size = path.stat().st_size
    with open(path, "rb") as fh:
        zipped = fh.read(4) == b"PK\x03\x04"
    if zipped and not zipfile.is_zipfile(path):
        return f"truncated or damaged: the zip archive torch.save writes is incomplete ({size:,} bytes)"
    if zipped:
        return f"damaged: a zip archive torch cannot read as a saved object ({size:,} bytes)"
    return f"not a PyTorch file ({size:,} bytes, neither torch.save's zip archive nor a pickle)"


def _to_numpy(value, torch):
    if isinstance(value, torch.Tensor):
        tensor = value.detach().cpu()
        plain = (torch.float64, torch.float32, torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8,
                 torch.bool)
        if tensor.dtype not in plain:  # bfloat16, float16, float8, ... as float32
            tensor = tensor.float()
        return np.asarray(tensor.numpy())
    if isinstance(value, dict):
        return {str(k): _to_numpy(v, torch) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_numpy(v, torch) for v in value]
    return value
