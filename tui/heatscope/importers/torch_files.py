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
    except Exception as exc:  # noqa: BLE001 - torch raises many types for a file that is not its own
        first = (str(exc).splitlines() or [type(exc).__name__])[0][:160]
        raise HeatscopeError(f"not a readable PyTorch file: {first}", str(path)) from None
    return _to_numpy(loaded, torch)


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
