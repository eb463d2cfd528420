"""Plain JSON values from domain objects: one rule set for the CLI, the API and the store.

Dates are ISO strings, Decimals strings (money must not pass through float), enums their
values, dataclasses dicts of their fields (properties are left out: they are derived).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from typing import Any


def to_jsonable(obj: Any) -> Any:
    """``obj`` as nested dicts, lists, strings, numbers, booleans and None."""
    if obj is None or isinstance(obj, bool | int | str):
        return obj
    if isinstance(obj, Enum):
        return to_jsonable(obj.value)
    if isinstance(obj, Decimal):
        return format(obj, "f")
    if isinstance(obj, dt.date | dt.datetime | dt.time):
        return obj.isoformat()
    if isinstance(obj, float):
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Mapping):
        return {str(key): to_jsonable(value) for key, value in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [to_jsonable(item) for item in obj]
    raise TypeError(f"cannot convert {type(obj).__name__} to JSON")
