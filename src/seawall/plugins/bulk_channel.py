"""A shared-memory side channel for bulk ``fs.readmany`` answers.

Pipes cost two kernel copies and a context switch per pipe-full; for thousands of
small files the JSON-RPC line per batch is cheap but the bytes are not. The host
creates an anonymous memory file (``memfd``), hands the plugin its fd and maps it
itself on first use; ``fs.readmany`` with ``"encoding": "shm"`` writes file contents into
one of two *slots* and answers with offsets. The plugin alternates slots and only
asks for a slot again after copying the previous answer out of it, so the host
never overwrites bytes still being read (requests are handled in order).
"""

from __future__ import annotations

import mmap
import os
import threading

#: Bytes per slot (two slots). Small enough that mapping them costs little per run
#: (and their pages stay hot), big enough for any file up to ``fs.read``'s 16 MiB.
SLOT_SIZE = 16 * 1024 * 1024
SLOTS = 2


class BulkChannel:
    """One mapped memfd, on either side."""

    def __init__(self, fd: int, slot_size: int, slots: int, owner: bool) -> None:
        self.fd = fd
        self.slot_size = slot_size
        self.slots = slots
        self._owner = owner
        self._map: mmap.mmap | None = None
        self._view: memoryview | None = None
        self._map_lock = threading.Lock()
        self.in_use = threading.Lock()
        """Held by the one reader using the slots (others fall back to raw reads)."""
        if not owner:
            self._map_in()

    def _map_in(self) -> None:
        """Map the whole channel, pre-faulted in one call: faulting pages in one at
        a time while copying files in (host) or out (plugin) costs more than the
        copies. The plugin maps at attach, which allocates the pages; the host maps
        on first use (by then it only has to map the plugin's pages, ~4 ms for 32 MiB),
        so plugins that never read through the channel cost nothing."""
        with self._map_lock:
            if self._map is None:
                populate = getattr(mmap, "MAP_POPULATE", 0)
                size = self.slot_size * self.slots
                mapped = mmap.mmap(self.fd, size, flags=mmap.MAP_SHARED | populate)
                self._view = memoryview(mapped)
                self._map = mapped

    @property
    def map(self) -> mmap.mmap:
        """The mapping."""
        if self._map is None:
            self._map_in()
        assert self._map is not None
        return self._map

    @property
    def view(self) -> memoryview:
        """The whole mapping, for zero-copy ``preadv``/``readinto`` straight into a slot."""
        if self._view is None:
            self._map_in()
        assert self._view is not None
        return self._view

    @classmethod
    def create(cls, slot_size: int = SLOT_SIZE, slots: int = SLOTS) -> BulkChannel | None:
        """Host side: a new channel, or None where memfd is not available."""
        if not hasattr(os, "memfd_create"):
            return None
        try:
            fd = os.memfd_create("seawall-bulk", 0)  # not CLOEXEC-free: passed explicitly
            os.ftruncate(fd, slot_size * slots)
            return cls(fd, slot_size, slots, owner=True)
        except OSError:
            return None

    @classmethod
    def attach(cls, fd: int, slot_size: int, slots: int) -> BulkChannel:
        """Plugin side: map the fd the host passed."""
        return cls(fd, slot_size, slots, owner=False)

    def slot_bounds(self, slot: int) -> tuple[int, int]:
        """[start, end) of ``slot`` in the mapping."""
        return slot * self.slot_size, (slot + 1) * self.slot_size

    def describe(self) -> dict[str, int]:
        """What the ``run`` params tell the plugin."""
        return {"fd": self.fd, "slot_size": self.slot_size, "slots": self.slots}

    def close(self) -> None:
        """Unmap (and close the fd on the host side)."""
        if self._view is not None:
            self._view.release()
        if self._map is not None:
            self._map.close()
        if self._owner:
            os.close(self.fd)
