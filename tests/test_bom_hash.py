"""The input file's sha256: hashed on a thread while a big file is read, inline for a small one."""
from __future__ import annotations

import hashlib

import pytest

from remin.bom import _hashing, sha256_of


@pytest.mark.parametrize("size", [10, (1 << 20) + 1, 3 << 20])
def test_digest_is_the_files_sha256(tmp_path, size):
    path = tmp_path / "bom.csv"
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    path.write_bytes(data)
    assert _hashing(path)() == hashlib.sha256(data).hexdigest() == sha256_of(path)


def test_a_missing_file_raises_when_the_digest_is_asked_for(tmp_path):
    digest = _hashing(tmp_path / "gone.csv")   # nothing raised yet: the reader reports it first
    with pytest.raises(FileNotFoundError):
        digest()
