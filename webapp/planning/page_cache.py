"""A bounded, process-local store of rendered planning pages, keyed by what they show.

Plain Python (no Flask). The key is built by the caller from everything the page depends
on: the family's planning data as loaded for this request (FamilyPlanning.fingerprint),
the deadline locks at this instant (FamilyPlanning.first_open_days), the day, the
language, the commune's settings. A changed booking, a decision, a closure or a passed
deadline makes another key, so a stored page is never stale: it is only reused when
building it again would give the same text. Least recently used pages go first once
the stored text passes `max_chars` (a month of 3 children is ~150,000 characters, held as
2 bytes each: the default keeps ~25 pages, ~8 MB, per process).
"""
import threading
from collections import OrderedDict


class PageCache:
    def __init__(self, max_chars: int = 4_000_000):
        self.max_chars = max_chars
        self._pages: OrderedDict = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()

    def get(self, key, owner):
        """The value stored under `key` for `owner` (the commune's settings object), or None.

        The owner is compared by identity: settings reloaded are a new object, so pages
        built with the old ones are never served.
        """
        with self._lock:
            found = self._pages.get(key)
            if found is None or found[0] is not owner:
                return None
            self._pages.move_to_end(key)
            return found[2]

    def put(self, key, owner, value, size: int) -> None:
        with self._lock:
            previous = self._pages.pop(key, None)
            if previous is not None:
                self._chars -= previous[1]
            if size > self.max_chars:
                return
            self._pages[key] = (owner, size, value)
            self._chars += size
            while self._chars > self.max_chars:
                _key, (_owner, old_size, _value) = self._pages.popitem(last=False)
                self._chars -= old_size

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._chars = 0

    def __len__(self) -> int:
        return len(self._pages)
