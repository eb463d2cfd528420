"""Every setting verifier reads, from the environment, in one place.

Typed and validated when read, so a bad value stops the process at start with the
variable's name instead of failing later inside a job. Nothing here runs at import.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("development", "test", "production")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


MASK = "***"
SECRET_FIELDS = frozenset({"secret_key", "data_key", "metrics_token", "audit_key"})
URL_FIELDS = frozenset({"database_url", "redis_url"})


def mask_url(url: str | None) -> str | None:
    """``url`` with its password (if any) replaced by ``***``: safe to print or log."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return MASK  # unparseable: it may hold anything
    if password is None:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:{MASK}@{host}"))


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float, minimum: float = 0.0) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


def _intervals(env: Mapping[str, str], name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    raw = env.get(name)
    if not raw:
        return default
    try:
        values = tuple(int(part) for part in raw.split(","))
    except ValueError:
        raise SettingsError(f"{name} must be comma-separated seconds, got {raw!r}") from None
    if not values or any(v < 0 for v in values):
        raise SettingsError(f"{name} must list one or more non-negative seconds")
    return values


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env.get(name) or default
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


@dataclass(frozen=True)
class RateLimit:
    """At most ``count`` requests per client address in each ``seconds`` window."""

    count: int
    seconds: int


def _rate(env: Mapping[str, str], name: str, default: RateLimit | None) -> RateLimit | None:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.strip().lower() == "off":
        return None
    count, _, seconds = raw.partition("/")
    try:
        limit = RateLimit(int(count), int(seconds))
    except ValueError:
        raise SettingsError(f"{name} must be COUNT/SECONDS (e.g. 10/600) or off") from None
    if limit.count < 1 or limit.seconds < 1:
        raise SettingsError(f"{name} needs a count and seconds of at least 1, got {raw!r}")
    return limit


def _origins(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Origins allowed to frame the widget: scheme://host[:port], host may start with *."""
    raw = env.get(name) or ""
    origins: list[str] = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        try:
            parts = urlsplit(part)
            port = parts.port
        except ValueError:
            raise SettingsError(f"{name}: {part!r} is not an origin") from None
        host = parts.hostname or ""
        bare = host[2:] if host.startswith("*.") else host
        if (
            parts.scheme not in ("http", "https")
            or not bare
            or not bare.replace("-", "").replace(".", "").isalnum()
            or parts.path not in ("", "/")
            or parts.query
            or parts.fragment
            or parts.username
            or parts.password
        ):
            raise SettingsError(
                f"{name}: {part!r} must be an origin like https://www.example.org"
            )
        origins.append(f"{parts.scheme}://{host}" + (f":{port}" if port else ""))
    return tuple(origins)


LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


def redis_url_problem(url: str) -> str | None:
    """Why this Redis URL is unsafe for production, or None.

    Whoever can write to Redis can enqueue jobs, so production needs a password (or an
    ACL user with one), and TLS (``rediss://``) unless Redis is on this machine.
    """
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return "REDIS_URL is not a URL"
    if not password and "password=" not in parts.query:
        return "REDIS_URL must carry a password (redis://user:password@host) in production"
    if parts.scheme == "redis" and (parts.hostname or "") not in LOOPBACK_HOSTS:
        return "REDIS_URL must use rediss:// (TLS) in production unless Redis is on loopback"
    return None


# Limits per client address; the test environment has none unless set (suites submit fast).
DEFAULT_SUBMIT_LIMIT = RateLimit(10, 600)
DEFAULT_STATUS_LIMIT = RateLimit(120, 60)


@dataclass(frozen=True)
class Settings:
    environment: str = "development"
    secret_key: str | None = None
    database_url: str = f"sqlite:///{ROOT / 'var' / 'verifier.db'}"
    redis_url: str = "redis://127.0.0.1:6379/0"
    # "kid:base64key[,kid:base64key...]": the first encrypts, all decrypt (rotation).
    data_key: str | None = None
    data_key_file: Path = ROOT / "var" / "data.key"
    # The audit chain's HMAC key ("kid:base64key[,...]", the first signs): never in the DB.
    audit_key: str | None = field(default=None, repr=False)
    audit_key_file: Path = ROOT / "var" / "audit.key"
    # Development and test only: without SECRET_KEY, every process on this machine reads
    # the one secret generated into this file (forms and rate limits work across workers).
    secret_key_file: Path = ROOT / "var" / "secret.key"
    queue_prefix: str = "verifier"
    payers_file: Path = ROOT / "config" / "payers.toml"
    facility_file: Path = ROOT / "config" / "facility.toml"
    visitor_result: str = "summary"  # or "status": visitors see progress only
    status_token_ttl: int = 72 * 3600
    max_request_bytes: int = 16 * 1024
    job_timeout: int = 120  # seconds a worker may spend on one verification
    lease_seconds: int = 180  # a running row whose lease passed is re-enqueued
    retry_intervals: tuple[int, ...] = (90, 300, 900, 1800, 3600, 7200)
    failure_ttl: int = 7 * 24 * 3600  # failed RQ jobs (no PHI in them) kept a week
    result_ttl: int = 600
    payer_timeout: float = 25.0  # seconds for one payer HTTP exchange
    sandbox_slow_seconds: float = 5.0
    log_level: str = "INFO"
    widget_origins: tuple[str, ...] = ()  # may frame /verify (CSP frame-ancestors)
    rate_limit_submit: RateLimit | None = DEFAULT_SUBMIT_LIMIT
    rate_limit_status: RateLimit | None = DEFAULT_STATUS_LIMIT
    proxy_hops: int = 0  # trusted reverse proxies setting X-Forwarded-For
    # Scheduled work (issue 8): retries end after the window; re-checks before admission.
    retry_window: int = 24 * 3600  # a run retrying an unavailable payer fails after this
    retry_jitter: float = 0.25  # each wait is its interval times 1..1+jitter
    reverify_days: int = 2  # re-check completed verifications admitted within N days ...
    reverify_after_hours: int = 72  # ... when their answer is older than this
    retention_days: int = 90  # PHI of verifications older than this is erased
    patient_retention_days: int = 0  # ... unless they became patients: 0 = never by us
    # 42 CFR Part 2: a purged visitor row's consent and disclosure ledger are kept this long
    # (6 years: HIPAA documentation retention, 45 CFR 164.530(j); §2.24 asks for 3 back).
    part2_ledger_retention_days: int = 2190
    batch_max_rows: int = 10_000
    batch_max_bytes: int = 5 * 1024 * 1024
    batch_chunk: int = 500  # verifications per batch job (fewer, longer jobs: no idle tails)
    worker_threads: int = 64  # concurrent checks inside one batch job
    metrics_token: str | None = field(default=None, repr=False)  # Bearer for GET /metrics
    # Webhooks (issue 20): one delivery's HTTP timeout; the base of links in payloads.
    webhook_timeout: float = 10.0
    public_url: str | None = None  # e.g. https://verify.center.example (no trailing /)
    extra: Mapping[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        """Every field, with keys, tokens and URL passwords masked (reprs reach logs).

        A field declared ``repr=False`` is a secret too, whether or not it is listed.
        """
        shown = []
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name in SECRET_FIELDS or not item.repr:
                text = repr(MASK if value else value)
            elif item.name in URL_FIELDS:
                text = repr(mask_url(value))
            elif item.name == "extra":
                text = repr(dict.fromkeys(sorted(value), MASK))
            else:
                text = repr(value)
            shown.append(f"{item.name}={text}")
        return f"Settings({', '.join(shown)})"

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def flask_secret_key(self) -> str:
        """SECRET_KEY, or (not in production) the development secret shared through var/."""
        if self.secret_key:
            return self.secret_key
        if self.is_production:  # validate() refuses this too
            raise SettingsError("SECRET_KEY is required in production")
        return shared_secret(self.secret_key_file)

    @property
    def max_attempts(self) -> int:
        return len(self.retry_intervals) + 1

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and validate; raise SettingsError naming the first bad variable."""
        env = os.environ if env is None else env
        environment = _choice(env, "VERIFIER_ENV", "development", ENVIRONMENTS)
        defaults = cls()
        settings = cls(
            environment=environment,
            secret_key=env.get("SECRET_KEY") or None,
            database_url=env.get("DATABASE_URL") or defaults.database_url,
            redis_url=env.get("REDIS_URL") or defaults.redis_url,
            data_key=env.get("VERIFIER_DATA_KEY") or None,
            data_key_file=Path(env.get("VERIFIER_DATA_KEY_FILE") or defaults.data_key_file),
            audit_key=env.get("VERIFIER_AUDIT_KEY") or None,
            audit_key_file=Path(env.get("VERIFIER_AUDIT_KEY_FILE") or defaults.audit_key_file),
            secret_key_file=Path(
                env.get("VERIFIER_SECRET_KEY_FILE") or defaults.secret_key_file
            ),
            queue_prefix=env.get("VERIFIER_QUEUE_PREFIX") or defaults.queue_prefix,
            payers_file=Path(env.get("VERIFIER_PAYERS_FILE") or defaults.payers_file),
            facility_file=Path(env.get("VERIFIER_FACILITY_FILE") or defaults.facility_file),
            visitor_result=_choice(env, "VISITOR_RESULT", "summary", ("summary", "status")),
            status_token_ttl=_int(env, "VERIFIER_STATUS_TOKEN_TTL", defaults.status_token_ttl, 60),
            job_timeout=_int(env, "VERIFIER_JOB_TIMEOUT", defaults.job_timeout, 5),
            lease_seconds=_int(env, "VERIFIER_LEASE_SECONDS", defaults.lease_seconds, 5),
            retry_intervals=_intervals(env, "VERIFIER_RETRY_INTERVALS", defaults.retry_intervals),
            failure_ttl=_int(env, "VERIFIER_FAILURE_TTL", defaults.failure_ttl, 60),
            payer_timeout=_float(env, "VERIFIER_PAYER_TIMEOUT", defaults.payer_timeout, 0.1),
            sandbox_slow_seconds=_float(
                env, "VERIFIER_SANDBOX_SLOW_SECONDS", defaults.sandbox_slow_seconds
            ),
            log_level=_choice(
                env, "LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
            ),
            widget_origins=_origins(env, "VERIFIER_WIDGET_ORIGINS"),
            rate_limit_submit=_rate(
                env,
                "VERIFIER_RATE_LIMIT_SUBMIT",
                None if environment == "test" else DEFAULT_SUBMIT_LIMIT,
            ),
            rate_limit_status=_rate(
                env,
                "VERIFIER_RATE_LIMIT_STATUS",
                None if environment == "test" else DEFAULT_STATUS_LIMIT,
            ),
            proxy_hops=_int(env, "VERIFIER_PROXY_HOPS", defaults.proxy_hops),
            retry_window=_int(env, "VERIFIER_RETRY_WINDOW", defaults.retry_window, 0),
            retry_jitter=_float(env, "VERIFIER_RETRY_JITTER", defaults.retry_jitter),
            reverify_days=_int(env, "VERIFIER_REVERIFY_DAYS", defaults.reverify_days),
            reverify_after_hours=_int(
                env, "VERIFIER_REVERIFY_AFTER_HOURS", defaults.reverify_after_hours
            ),
            retention_days=_int(env, "VERIFIER_RETENTION_DAYS", defaults.retention_days, 1),
            part2_ledger_retention_days=_int(
                env, "VERIFIER_PART2_LEDGER_RETENTION_DAYS",
                defaults.part2_ledger_retention_days, 1095,
            ),
            patient_retention_days=_int(
                env, "VERIFIER_PATIENT_RETENTION_DAYS", defaults.patient_retention_days
            ),
            batch_max_rows=_int(env, "VERIFIER_BATCH_MAX_ROWS", defaults.batch_max_rows, 1),
            batch_max_bytes=_int(
                env, "VERIFIER_BATCH_MAX_BYTES", defaults.batch_max_bytes, 1024
            ),
            batch_chunk=_int(env, "VERIFIER_BATCH_CHUNK", defaults.batch_chunk, 1),
            worker_threads=_int(env, "VERIFIER_WORKER_THREADS", defaults.worker_threads, 1),
            metrics_token=(env.get("VERIFIER_METRICS_TOKEN") or "").strip() or None,
            webhook_timeout=_float(env, "VERIFIER_WEBHOOK_TIMEOUT", defaults.webhook_timeout, 0.1),
            public_url=(env.get("VERIFIER_PUBLIC_URL") or "").strip().rstrip("/") or None,
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        if not self.queue_prefix.replace("-", "").replace("_", "").isalnum():
            raise SettingsError("VERIFIER_QUEUE_PREFIX may hold only letters, digits, - and _")
        if self.lease_seconds <= self.job_timeout:
            raise SettingsError("VERIFIER_LEASE_SECONDS must be longer than VERIFIER_JOB_TIMEOUT")
        if self.retry_jitter > 1:
            raise SettingsError("VERIFIER_RETRY_JITTER must be between 0 and 1")
        if self.payer_timeout >= self.job_timeout:
            raise SettingsError("VERIFIER_PAYER_TIMEOUT must be shorter than VERIFIER_JOB_TIMEOUT")
        if self.metrics_token is not None and len(self.metrics_token) < 16:
            raise SettingsError("VERIFIER_METRICS_TOKEN must be at least 16 characters")
        if self.is_production:
            if not self.data_key:
                raise SettingsError("VERIFIER_DATA_KEY is required in production")
            if not self.secret_key:
                raise SettingsError("SECRET_KEY is required in production")
            if not self.audit_key:
                raise SettingsError("VERIFIER_AUDIT_KEY is required in production")
            if self.database_url.startswith("sqlite"):
                raise SettingsError("DATABASE_URL must name PostgreSQL in production")
            problem = redis_url_problem(self.redis_url)
            if problem:
                raise SettingsError(problem)
            if any(origin.startswith("http://") for origin in self.widget_origins):
                raise SettingsError("VERIFIER_WIDGET_ORIGINS must be https:// in production")


def shared_secret(path: Path) -> str:
    """The secret in ``path``, generated on first use; safe when processes race to make it.

    Written to a private temporary file, then linked into place: ``os.link`` fails if the
    file exists, so the first process's secret wins and every other one reads it. Never
    a partly written file, never two secrets.
    """
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret-")
    try:
        with os.fdopen(fd, "w") as handle:  # mkstemp makes it 0600
            handle.write(secrets.token_hex(32) + "\n")
        with contextlib.suppress(FileExistsError):  # another process won: read its secret
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
    return _read_secret(path)


def _read_secret(path: Path) -> str:
    value = path.read_text().strip()
    if len(value) < 32:
        raise SettingsError(f"{path} holds no usable secret: delete it to make a new one")
    return value
