"""A thread-safe least-recently-used cache bounded by entries and by bytes: the gateway's
query results (queries/__init__.py) and the pages' outputs (components/output_cache.py).
``clear_every()`` empties every cache at once (queries.clear_cache)."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict

_every: weakref.WeakSet[Cache] = weakref.WeakSet()


class Cache:
    """Values by key, each with its size in bytes given by the caller; past ``max_entries``
    or ``max_bytes`` the least recently used are evicted (the newest always stays).
    ``hits`` and ``misses`` count the lookups. Values are returned as stored: a caller
    hands out copies (or stores immutable values)."""

    def __init__(self, max_bytes: int, max_entries: int | None = None):
        self.max_bytes, self.max_entries = max_bytes, max_entries
        self._entries: OrderedDict = OrderedDict()  # key -> (value, bytes), least recently used first
        self.bytes = 0
        self.hits = self.misses = 0
        self._lock = threading.Lock()
        _every.add(self)

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key):
        """The value stored under ``key``, or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self.hits += 1
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key, value, size: int) -> None:
        with self._lock:
            if key in self._entries:
                self.bytes -= self._entries.pop(key)[1]
            self._entries[key] = (value, size)
            self.bytes += size
            while len(self._entries) > 1 and self._over():
                self.bytes -= self._entries.popitem(last=False)[1][1]

    def _over(self) -> bool:
        return self.bytes > self.max_bytes or (self.max_entries is not None and len(self._entries) > self.max_entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0


def clear_every() -> None:
    """Empty every cache of this process."""
    for cache in list(_every):
        cache.clear()
