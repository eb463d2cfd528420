"""Staff accounts: argon2id passwords, a required TOTP second factor, lockout, API tokens.

Failed logins back off: after LOCK_AFTER failures from one address the account is
locked for that address, for a period that doubles with each further failure (capped),
and the message never says whether the email, the password or the code was wrong.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import NamedTuple

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from verifier.runtime import Runtime
from verifier.store.models import ApiToken, LoginLock, StaffSession, StaffUser
from verifier.store.records import seal, unseal

ROLES = ("coordinator", "admin")
LOCK_AFTER = 5
LOCK_BASE = dt.timedelta(minutes=1)
LOCK_MAX = dt.timedelta(hours=1)
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


class AccountError(ValueError):
    """A staff account operation cannot be done (message safe to show an operator)."""


@dataclass(frozen=True)
class Staff:
    """Who is acting: enough to authorize and to audit, nothing more."""

    id: int
    email: str
    role: str
    must_change_password: bool = False  # still on the one-time password it was given

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class NewAccount:
    staff: Staff
    password: str
    totp_secret: str
    totp_uri: str


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254 or any(ch.isspace() for ch in email):
        raise AccountError("not a valid email address")
    return email


def create_user(runtime: Runtime, email: str, role: str) -> NewAccount:
    """A new account with a one-time password and a TOTP secret, shown once."""
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    email = normalize_email(email)
    password = secrets.token_urlsafe(18)
    secret = pyotp.random_base32()
    with runtime.db.session() as session:
        exists = session.execute(select(StaffUser.id).where(StaffUser.email == email)).first()
        if exists:
            raise AccountError("a user with this email already exists")
        user = StaffUser(
            email=email,
            role=role,
            password_hash=_hasher.hash(password),
            totp_secret_enc=seal(runtime.keyring, "staff.totp", email, secret),
            disabled=False,
            failed_logins=0,
            created_at=utcnow(),
            password_change_required=True,  # the one-time password is shown to the operator
        )
        session.add(user)
        session.flush()
        staff = Staff(user.id, user.email, user.role)
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name="verifier")
    return NewAccount(staff=staff, password=password, totp_secret=secret, totp_uri=uri)


def set_password(runtime: Runtime, email: str, password: str) -> None:
    if len(password) < 12:
        raise AccountError("a password needs at least 12 characters")
    with runtime.db.session() as session:
        user = _user_by_email(session, email)
        user.password_hash = _hasher.hash(password)


MIN_PASSWORD = 12


def change_password(runtime: Runtime, staff: Staff, current: str, new: str) -> None:
    """The user's own new password (ends the one-time password); AccountError says why."""
    if len(new) < MIN_PASSWORD:
        raise AccountError(f"A password needs at least {MIN_PASSWORD} characters.")
    if new == current:
        raise AccountError("Choose a password different from the one you were given.")
    with runtime.db.session() as session:
        user = session.get(StaffUser, staff.id, with_for_update=True)
        if user is None or user.disabled:
            raise AccountError("This account cannot sign in.")
        if not _password_ok(user.password_hash, current):
            raise AccountError("The current password is not right.")
        user.password_hash = _hasher.hash(new)
        user.password_change_required = False


def _user_by_email(session: Session, email: str) -> StaffUser:
    user = session.execute(
        select(StaffUser).where(StaffUser.email == normalize_email(email))
    ).scalar_one_or_none()
    if user is None:
        raise AccountError("no such user")
    return user


@dataclass(frozen=True)
class SignIn:
    """What a sign-in attempt came to, for the caller's audit row (never shown as is)."""

    staff: Staff | None
    account_id: int | None = None  # the account tried, when the email names one
    locked_now: bool = False  # this failure started a lock for its address


CODE = re.compile(r"[0-9]{6}")


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the email names no account: the same argon2 work."""
    return _hasher.hash(secrets.token_urlsafe(18))


def authenticate(
    runtime: Runtime,
    email: str,
    password: str,
    code: str,
    *,
    now: dt.datetime | None = None,
    source: str | None = None,
) -> Staff | None:
    """Password and TOTP code both right, account enabled, address not locked: the Staff."""
    return sign_in(runtime, email, password, code, now=now, source=source).staff


def sign_in(
    runtime: Runtime,
    email: str,
    password: str,
    code: str,
    *,
    now: dt.datetime | None = None,
    source: str | None = None,
) -> SignIn:
    """One sign-in attempt from ``source`` (the client address).

    Every path does the same work (one argon2 verification), so the time taken tells
    nothing about the account: unknown, disabled and locked answer as slowly as a wrong
    password. The code is checked (and burnt) only with the right password, but the
    answer for a wrong code never depends on the password. Failures lock this account
    from this address only, with a back-off that doubles (capped).
    """
    now = now or utcnow()
    try:
        email = normalize_email(email)
    except AccountError:
        email = ""
    with runtime.db.session() as session:
        user = (
            session.execute(
                select(StaffUser).where(StaffUser.email == email).with_for_update()
            ).scalar_one_or_none()
            if email
            else None
        )
        password_ok = _password_ok(user.password_hash if user else _dummy_hash(), password)
        if user is None:
            return SignIn(None)
        if user.disabled:
            return SignIn(None, user.id)
        lock = _lock_of(session, user.id, source)
        if lock.locked_until is not None and lock.locked_until > now:
            return SignIn(None, user.id)
        if password_ok and _claim_code(runtime, session, user, code, now):
            if lock in session:
                session.delete(lock)  # this address starts afresh
            user.failed_logins = 0
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            staff = Staff(user.id, user.email, user.role, user.password_change_required)
            return SignIn(staff, user.id)
        user.failed_logins += 1
        lock.failures += 1
        started = False
        if lock.failures >= LOCK_AFTER:
            extra = lock.failures - LOCK_AFTER
            lock.locked_until = now + min(LOCK_BASE * (2 ** min(extra, 16)), LOCK_MAX)
            started = True
        session.add(lock)
        return SignIn(None, user.id, started)


def _lock_of(session: Session, user_id: int, source: str | None) -> LoginLock:
    key = hashlib.sha256((source or "").encode()).hexdigest()
    found = session.get(LoginLock, (user_id, key))
    return found or LoginLock(user_id=user_id, source=key, failures=0, locked_until=None)


def _password_ok(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _claim_code(
    runtime: Runtime, session: Session, user: StaffUser, code: str, now: dt.datetime
) -> bool:
    """A current TOTP code (±1 step) in ASCII digits, used at most once, ever.

    The used step is claimed by one conditional UPDATE: of two sign-ins racing with the
    same code (on SQLite, where FOR UPDATE locks nothing, as on PostgreSQL), one wins.
    """
    code = code.strip().replace(" ", "")
    if not CODE.fullmatch(code):
        return False  # full-width or other Unicode digits are not a code
    secret = unseal(runtime.keyring, "staff.totp", user.email, user.totp_secret_enc)
    totp = pyotp.TOTP(secret)
    step_now = int(now.timestamp()) // totp.interval
    for step in (step_now - 1, step_now, step_now + 1):
        if secrets.compare_digest(totp.at(step * totp.interval), code):
            claimed = session.execute(
                update(StaffUser)
                .where(
                    StaffUser.id == user.id,
                    or_(StaffUser.totp_last_step.is_(None), StaffUser.totp_last_step < step),
                )
                .values(totp_last_step=step)
                .execution_options(synchronize_session=False)
            )
            return bool(claimed.rowcount)  # type: ignore[attr-defined]
    return False


def disable_user(runtime: Runtime, email: str) -> None:
    """Disable the account and end every session and token it has, at once."""
    with runtime.db.session() as session:
        user = _user_by_email(session, email)
        user.disabled = True
        session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
        session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


TOKEN_DAYS = 90  # default life of an API token; at most MAX_TOKEN_DAYS
MAX_TOKEN_DAYS = 365


class IssuedToken(NamedTuple):
    """Indexable like the (staff, token) pair it used to be."""

    staff: Staff
    token: str
    expires_at: dt.datetime
    revoked: int  # the user's earlier tokens ended by a rotation


def issue_token(
    runtime: Runtime, email: str, *, days: int = TOKEN_DAYS, rotate: bool = False
) -> IssuedToken:
    """A new personal API token that expires; only its hash is kept.

    ``rotate``: the user's other live tokens are revoked in the same transaction, so a
    script can switch to the new token with no window where neither works.
    """
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise AccountError(f"a token lives 1 to {MAX_TOKEN_DAYS} days")
    token = "vt_" + secrets.token_urlsafe(32)
    now = utcnow()
    expires = now + dt.timedelta(days=days)
    with runtime.db.session() as session:
        user = _user_by_email(session, email)
        if user.disabled:
            raise AccountError("the user is disabled")
        revoked = 0
        if rotate:
            result = session.execute(
                update(ApiToken)
                .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            revoked = int(result.rowcount)  # type: ignore[attr-defined]
        session.add(
            ApiToken(
                user_id=user.id, token_hash=hash_secret(token), created_at=now, expires_at=expires
            )
        )
        return IssuedToken(Staff(user.id, user.email, user.role), token, expires, revoked)


def revoke_tokens(runtime: Runtime, email: str) -> int:
    with runtime.db.session() as session:
        user = _user_by_email(session, email)
        result = session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


def staff_for_token(runtime: Runtime, token: str) -> Staff | None:
    if not token.startswith("vt_") or len(token) > 100:
        return None
    with runtime.db.session() as session:
        row = session.execute(
            select(ApiToken, StaffUser)
            .join(StaffUser, StaffUser.id == ApiToken.user_id)
            .where(ApiToken.token_hash == hash_secret(token), ApiToken.revoked_at.is_(None))
        ).first()
        if row is None:
            return None
        api_token, user = row
        now = utcnow()
        # Tokens from before expiry existed (expires_at NULL) live TOKEN_DAYS from issue.
        expires = api_token.expires_at or api_token.created_at + dt.timedelta(days=TOKEN_DAYS)
        if user.disabled or expires <= now:
            return None
        api_token.last_used_at = now
        return Staff(user.id, user.email, user.role)


def count_users(runtime: Runtime) -> int:
    with runtime.db.session() as session:
        return int(session.execute(select(func.count()).select_from(StaffUser)).scalar_one())
