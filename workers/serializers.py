"""A pickle reader for the cron queue that builds plain values only.

``rq cron`` enqueues with RQ's default serializer (pickle), and unpickling runs any
callable a job's bytes name: whoever can write to Redis could run code in the
maintenance worker before any allow-list is consulted. This reader refuses every
global (the "restricting globals" recipe of the pickle docs), so only str, bytes,
numbers, None, tuples, lists, sets and dicts come out: exactly what a cron job's
data holds (a function's dotted name, no instance, no arguments).
"""

from __future__ import annotations

import io
import pickle
from typing import Any, NoReturn


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> NoReturn:
        raise pickle.UnpicklingError(f"refused to load {module}.{name} from a queued job")


class PlainPickleSerializer:
    """RQ serializer: writes pickle as RQ does, reads only plain values."""

    @staticmethod
    def dumps(obj: Any) -> bytes:
        return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def loads(data: bytes) -> Any:
        return _PlainUnpickler(io.BytesIO(data)).load()
