"""RE2 scans of raw bytes through pyarrow: one linear pass (no backtracking, no Python
object per match) that says whether a block holds anything worth a closer look."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def matches(data: bytes, pattern: str) -> bool:
    """True if the RE2 ``pattern`` occurs anywhere in ``data`` (bytes, not copied)."""
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    block = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)])
    return bool(pc.match_substring_regex(block, pattern)[0].as_py())
