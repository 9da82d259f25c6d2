"""Per-pair state held sparsely: values on the pairs that know each other or are within reach.

A :class:`PairMap` stands for an (n, n) matrix whose entries are ``default`` except on the
pairs ever written: trust (default ``trust_prior``), social ties (0), who has met whom,
infrastructure, pipe corridors and corridor neighbourhoods (False). The written pairs are kept
as sorted int64 keys ``i * n + j`` with their values, found with ``np.searchsorted``, so memory
grows with the relationships, not with n squared (20,000 facilities would need 3.2 GB per
dense float matrix). Reads return exactly what the dense matrix held: a stored value, or the
default bit for bit.

``m.flat[keys]`` reads and ``m.flat[keys] = values`` writes by flat index, as
``ndarray.flat`` does; ``m[i, j]`` takes scalars, index arrays (broadcast together), or one
whole row or column (``m[i]``, ``m[i, :]``, ``m[:, j]``) as a dense vector.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

__all__ = ["FlatPairs", "PairMap"]


class FlatPairs:
    """``PairMap.flat``: read and write by flat index ``i * n + j``."""

    __slots__ = ("_map",)

    def __init__(self, pair_map: PairMap) -> None:
        self._map = pair_map

    def __getitem__(self, keys: ArrayLike) -> NDArray:
        return self._map.take(keys)

    def __setitem__(self, keys: ArrayLike, values: ArrayLike) -> None:
        self._map.put(keys, values)


class PairMap:
    """An (n, n) matrix stored only where written (see the module docstring).

    Args:
        n: number of facilities.
        default: the value of every pair never written.
        dtype: the values' dtype.
    """

    def __init__(self, n: int, default: Any = 0.0, dtype: DTypeLike = np.float64) -> None:
        self.n = int(n)
        self.dtype = np.dtype(dtype)
        self.default = self.dtype.type(default)
        self.keys = np.zeros(0, dtype=np.int64)
        self.values = np.zeros(0, dtype=self.dtype)

    @classmethod
    def from_pairs(cls, n: int, i: ArrayLike, j: ArrayLike, values: ArrayLike,
                   default: Any = 0.0, dtype: DTypeLike = np.float64) -> PairMap:
        """A map holding ``values`` at pairs (i, j) (the last of repeated pairs wins)."""
        m = cls(n, default, dtype)
        m.put(np.asarray(i, dtype=np.int64) * m.n + np.asarray(j, dtype=np.int64), values)
        return m

    @classmethod
    def from_dense(cls, matrix: ArrayLike, default: Any = 0.0) -> PairMap:
        """The map of an (n, n) matrix, storing the entries that differ from ``default``."""
        a = np.asarray(matrix)
        keys = np.flatnonzero(a.reshape(-1) != default)
        m = cls(a.shape[0], default, a.dtype)
        m.keys, m.values = keys.astype(np.int64), a.reshape(-1)[keys].copy()
        return m

    # -- reading and writing by flat index -----------------------------------------------

    @property
    def shape(self) -> tuple[int, int]:
        """(n, n), as the dense matrix."""
        return (self.n, self.n)

    @property
    def flat(self) -> FlatPairs:
        """Read and write by flat index ``i * n + j`` (as ``ndarray.flat``)."""
        return FlatPairs(self)

    def _find(self, keys: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
        """Positions of ``keys`` in the stored keys (clipped) and whether each is stored."""
        stored = self.keys
        if stored.size == 0:
            return np.zeros(keys.shape, dtype=np.int64), np.zeros(keys.shape, dtype=np.bool_)
        pos = stored.searchsorted(keys)
        np.minimum(pos, stored.size - 1, out=pos)
        return pos, stored[pos] == keys

    def take(self, keys: ArrayLike) -> NDArray:
        """Values at flat indices ``keys`` (any shape), the default where never written."""
        k = np.asarray(keys, dtype=np.int64)
        if self.keys.size == 0:
            return np.full(k.shape, self.default, dtype=self.dtype)
        pos, hit = self._find(k)
        out = self.values[pos]
        out[~hit] = self.default
        return out

    def put(self, keys: ArrayLike, values: ArrayLike) -> None:
        """Write ``values`` (broadcast to ``keys``) at flat indices ``keys``; last write wins."""
        k = np.asarray(keys, dtype=np.int64)
        v = np.asarray(values, dtype=self.dtype)
        if v.shape != k.shape:
            v = np.broadcast_to(v, k.shape)
        k, v = k.reshape(-1), v.reshape(-1)
        pos, hit = self._find(k)
        if hit.all():
            self.values[pos] = v
            return
        self.values[pos[hit]] = v[hit]
        new_k, new_v = k[~hit][::-1], v[~hit][::-1]
        new_k, last = np.unique(new_k, return_index=True)
        at = self.keys.searchsorted(new_k)
        self.keys = np.insert(self.keys, at, new_k)
        self.values = np.insert(self.values, at, new_v[last])

    # -- rows, columns and whole lines ---------------------------------------------------

    def _row_positions(self, rows: NDArray[np.int64]) -> NDArray[np.int64]:
        """Positions of the stored entries of ``rows`` (each row's entries are contiguous)."""
        rows = np.asarray(rows, dtype=np.int64).reshape(-1)
        lo = self.keys.searchsorted(rows * self.n)
        hi = self.keys.searchsorted((rows + 1) * self.n)
        if rows.size == 1:
            return np.arange(lo[0], hi[0])
        size = hi - lo
        total = int(size.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64)
        before = np.cumsum(size) - size
        return np.repeat(lo - before, size) + np.arange(total)

    def row(self, i: int) -> NDArray:
        """Row ``i`` as a dense vector of length n."""
        out = np.full(self.n, self.default, dtype=self.dtype)
        pos = self._row_positions(np.array([i]))
        out[self.keys[pos] - int(i) * self.n] = self.values[pos]
        return out

    def column(self, j: int) -> NDArray:
        """Column ``j`` as a dense vector of length n (a scan of the stored entries)."""
        out = np.full(self.n, self.default, dtype=self.dtype)
        at = self.keys % self.n == int(j)
        out[self.keys[at] // self.n] = self.values[at]
        return out

    def reached(self, rows: ArrayLike) -> NDArray[np.bool_]:
        """Columns j with a nonzero entry in any of ``rows``, (n,) (``(m[rows] != 0).any(0)``)."""
        pos = self._row_positions(np.asarray(rows, dtype=np.int64))
        out = np.zeros(self.n, dtype=np.bool_)
        out[self.keys[pos[self.values[pos] != 0]] % self.n] = True
        return out

    def nonzero_rows(self) -> NDArray[np.bool_]:
        """Rows with a nonzero entry, (n,) (``m.any(axis=1)``; the default must be 0)."""
        out = np.zeros(self.n, dtype=np.bool_)
        out[self.keys[self.values != 0] // self.n] = True
        return out

    def on_lines(self, idx: ArrayLike) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
        """Whether each stored entry's row, and its column, is one of ``idx``."""
        mark = np.zeros(self.n, dtype=np.bool_)
        mark[np.asarray(idx, dtype=np.int64)] = True
        return mark[self.keys // self.n], mark[self.keys % self.n]

    def forget_lines(self, idx: ArrayLike) -> None:
        """Return rows and columns ``idx`` to the default (drops their stored entries)."""
        in_row, in_col = self.on_lines(idx)
        keep = ~(in_row | in_col)
        self.keys, self.values = self.keys[keep], self.values[keep]

    def fill_lines(self, idx: ArrayLike) -> None:
        """Store every entry of rows and columns ``idx`` (at its current value)."""
        idx = np.asarray(idx, dtype=np.int64).reshape(-1)
        every = np.arange(self.n, dtype=np.int64)
        keys = np.concatenate([(idx[:, None] * self.n + every).ravel(),
                               (every[:, None] * self.n + idx).ravel()])
        self.put(keys, self.take(keys))

    def dense(self) -> NDArray:
        """The whole (n, n) matrix (for small parks: views, tests)."""
        out = np.full(self.n * self.n, self.default, dtype=self.dtype)
        out[self.keys] = self.values
        return out.reshape(self.n, self.n)

    def __array__(self, dtype: DTypeLike = None, copy: bool | None = None) -> NDArray:
        out = self.dense()
        return out if dtype is None else out.astype(dtype)

    def copy(self) -> PairMap:
        """An independent copy."""
        m = PairMap(self.n, self.default, self.dtype)
        m.keys, m.values = self.keys.copy(), self.values.copy()
        return m

    # -- matrix indexing -----------------------------------------------------------------

    def __getitem__(self, index: Any) -> Any:
        i, j = index if isinstance(index, tuple) else (index, slice(None))
        if isinstance(i, numbers.Integral) and isinstance(j, numbers.Integral):
            k = int(i) * self.n + int(j)
            pos = int(self.keys.searchsorted(k))
            if pos < self.keys.size and self.keys[pos] == k:
                return self.values[pos]
            return self.default
        if isinstance(j, slice) and j == slice(None):
            return self.row(int(i))
        if isinstance(i, slice) and i == slice(None):
            return self.column(int(j))
        a, b = np.broadcast_arrays(np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64))
        out = self.take(a * self.n + b)
        return out[()] if out.ndim == 0 else out

    def __setitem__(self, index: tuple, value: ArrayLike) -> None:
        i, j = index
        a, b = np.broadcast_arrays(np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64))
        self.put(a * self.n + b, value)

    def __repr__(self) -> str:
        return (f"PairMap(n={self.n}, default={self.default!r}, dtype={self.dtype}, "
                f"stored={self.keys.size})")
