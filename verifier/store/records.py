"""The PHI a verification carries, and how it is sealed into and opened from its row.

One sealed JSON document per concern (member, contact, result) rather than one column
per field: fewer places to forget, and the associated data (table, column, row id)
stops a value being moved to another row.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from typing import Any

from verifier.domain import Person, Relationship
from verifier.store.crypto import Keyring


@dataclass(frozen=True)
class MemberRecord:
    """The patient and, when the patient is not the policyholder, the subscriber."""

    first_name: str
    last_name: str
    date_of_birth: dt.date
    member_id: str
    group_number: str | None
    relationship: Relationship
    subscriber: Person | None = None  # None when relationship is self
    # Names as the visitor wrote them (José), where the 270 carries a transliteration (JOSE);
    # keys first_name, last_name, subscriber.first_name, subscriber.last_name. Staff only.
    as_typed: dict[str, str] | None = None

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "date_of_birth": self.date_of_birth.isoformat(),
            "member_id": self.member_id,
            "group_number": self.group_number,
            "relationship": self.relationship.value,
            "subscriber": None,
        }
        if self.subscriber is not None:
            sub = asdict(self.subscriber)
            sub["date_of_birth"] = self.subscriber.date_of_birth.isoformat()
            data["subscriber"] = sub
        if self.as_typed:
            data["as_typed"] = dict(self.as_typed)
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> MemberRecord:
        data = json.loads(text)
        subscriber = None
        if data.get("subscriber"):
            sub = dict(data["subscriber"])
            sub["date_of_birth"] = dt.date.fromisoformat(sub["date_of_birth"])
            subscriber = Person(**sub)
        return cls(
            first_name=data["first_name"],
            last_name=data["last_name"],
            date_of_birth=dt.date.fromisoformat(data["date_of_birth"]),
            member_id=data["member_id"],
            group_number=data.get("group_number"),
            relationship=Relationship(data["relationship"]),
            subscriber=subscriber,
            as_typed=data.get("as_typed") or None,
        )

    def as_public_dict(self) -> dict[str, Any]:
        """The staff view of the member (PHI: only for audited staff reads)."""
        data: dict[str, Any] = json.loads(self.to_json())
        return data


@dataclass(frozen=True)
class ContactRecord:
    phone: str | None = None
    email: str | None = None
    best_time: str | None = None
    callback_requested: bool = False

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ContactRecord:
        return cls(**json.loads(text))


def attempt_key(attempt_id: int) -> str:
    """The row key an attempt's raw exchange is sealed to (attempt ids are unique)."""
    return f"attempt-{attempt_id}"


def context(column: str, row_id: str) -> str:
    return f"{column}:{row_id}"


def seal(keyring: Keyring, column: str, row_id: str, plaintext: str) -> str:
    return keyring.encrypt(plaintext, context(column, row_id))


def unseal(keyring: Keyring, column: str, row_id: str, token: str) -> str:
    return keyring.decrypt(token, context(column, row_id))


def blind_indexes(keyring: Keyring, member: MemberRecord) -> dict[str, str]:
    """Keyed hashes of the values staff search by (exact match, no decryption): the
    ``index_*`` columns of a verification, written by submit and by ``db rekey``."""
    return {
        "index_member_id": keyring.blind_index(member.member_id, "member_id"),
        "index_last_name": keyring.blind_index(member.last_name, "last_name"),
        "index_first_name": keyring.blind_index(member.first_name, "first_name"),
        "index_birth_date": keyring.blind_index(member.date_of_birth.isoformat(), "birth_date"),
    }
