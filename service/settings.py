"""The one settings object, built once from ``AUTOGRADE_*`` environment variables.

Nothing else in the project reads ``os.environ``: adapters receive the values they need.

Two deployment modes (``docs/deploy.md``). ``embedded``, the default, is one machine: what
is not configured is made in the data directory (an SQLite database, the session secret,
the records signing key). ``distributed`` is many hosts behind a balancer, each with its own
data directory: anything made per host there would split the service (a login valid on one
web host only, exports that verify against one host's key, submissions in a local SQLite
file no worker reads), so every process refuses to start until the shared database, secrets
and deployment id are configured.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.errors import BadInput

PREFIX = "AUTOGRADE_"
PASSWORD_HASH_METHOD = re.compile(r"scrypt(:[1-9][0-9]*:[1-9][0-9]*:[1-9][0-9]*)?")
DEPLOYMENT_MODES = ("embedded", "distributed")
IMAGE_ID = re.compile(r"sha256:[0-9a-f]{64}")
DEPLOYMENT_ID = re.compile(r"[a-z0-9][a-z0-9_.-]{0,62}")  # also a valid Docker and Kubernetes label value
SECRET_FIELDS = frozenset({"admin_token", "database_url", "redis_url", "secret_key"})
log = logging.getLogger(__name__)


def _default_data_dir() -> str:
    return str(Path.cwd() / "var")


@dataclass(frozen=True)
class Settings:
    """Every knob of the service, each with a default that works on one machine."""

    data_dir: str = field(default_factory=_default_data_dir)
    database_url: str = ""
    redis_url: str = "redis://127.0.0.1:6379/0"
    admin_token: str = ""
    # embedded (one machine, the default: what is not configured is made in the data dir) or distributed
    deployment_mode: str = "embedded"
    # names this deployment's sandboxes on a Docker engine it may share with others; embedded default: derived
    # from the Redis URL and queue prefix; distributed: required
    deployment_id: str = ""
    secret_key: str = (
        ""  # signs web-page session cookies; default: a random key kept in DATA_DIR/session-secret
    )
    secret_key_file: str = ""  # or: a file holding that key, shared by every web host
    session_cookie_secure: bool = (
        False  # set when the pages are served over HTTPS: the cookie is then sent only there
    )
    # where people reach the service (https://grades.example.edu): share links are built from it, never from a
    # request's Host header; an https address also makes the session cookie Secure and the pages send HSTS
    public_url: str = ""
    # reverse proxies (balancers) in front of the web app that append X-Forwarded-For/-Proto; 0 believes none.
    # Behind one, the client address (login limits, share-link logs) is otherwise the balancer's for everyone
    proxy_hops: int = 0
    session_hours: int = 12  # a login lasts this long
    rate_limit_logins: int = (
        10  # failed logins per account name from one address per rate_limit_login_window; 0: off
    )
    rate_limit_login_addresses: int = 50  # failed logins from one client address, any names; 0: off
    rate_limit_login_window: int = 300  # seconds
    max_upload_bytes: int = 10 * 1024 * 1024
    web_threads: int = 8  # threads that run requests in `autograde serve`; slow clients hold none of them
    web_connection_limit: int = (
        1000  # open connections `autograde serve` takes in at once; more wait to be accepted
    )
    client_idle_timeout: int = (
        30  # seconds a connection may send and receive nothing before the server closes it
    )
    client_request_timeout: int = 120  # seconds a client may take to send one whole request, headers and body
    queue_prefix: str = "autograde"
    job_timeout: int = 1800
    sandbox_image: str = "autograde-sandbox:latest"
    # optional: the one image id (sha256:...) every worker must run, for images pulled from a registry; the
    # environment digest label (sandboxes/environment.py) is checked whether or not this is set
    sandbox_image_id: str = ""
    sandbox_runtime: str = "runc"
    cell_timeout: float = 30.0
    notebook_timeout: float = 600.0
    memory_mb: int = 1024
    cpus: float = 1.0
    pids_limit: int = 128
    nofile_limit: int = 1024
    scratch_mb: int = 64
    output_limit_bytes: int = 1024 * 1024
    kernel_start_timeout: float = 60.0
    warm_pool_size: int = 2  # sandboxes each worker keeps started ahead of need; 0 turns the pool off
    warm_pool_reserve: int = 1  # more of them, kept for exam grades only
    exam_yield_seconds: float = 5.0  # how long one ordinary grade may pause for running exams; 0: never
    webhook_window: int = 300  # seconds a signed webhook's timestamp may be from the server's clock
    callback_timeout: float = 10.0  # seconds to wait for a platform to answer one result delivery
    callback_max_attempts: int = 12  # then the delivery is dead-lettered (2.5 to 5 hours with the defaults)
    callback_backoff_base: float = 30.0  # seconds before the first retry; doubles each time, with jitter
    callback_backoff_cap: float = 3600.0  # no wait between retries is longer than this
    rate_limit_submissions: int = 120  # submissions per token per rate_limit_window; 0 turns limits off
    rate_limit_window: int = 60  # seconds
    rate_limit_access_codes: int = (
        5  # wrong exam access codes per learner per rate_limit_access_code_window; 0: no limit
    )
    rate_limit_access_codes_per_exam: int = 50  # wrong codes per exam, all learners together; 0: no limit
    rate_limit_access_code_window: int = 900  # seconds
    worker_ttl: float = 30.0  # seconds after a worker's last heartbeat that its peers take it for dead
    watch_interval: float = 10.0  # seconds between a fleet's checks for dead peers, lost jobs and orphans
    records_key_file: str = (
        ""  # Ed25519 key that signs exported records; default DATA_DIR/records-signing-key.pem
    )
    records_previous_keys: str = (
        ""  # comma-separated files of retired keys, still published so old exports verify
    )
    # LTI 1.3: the RSA key the tool signs with (service token requests); its public half is published at
    # /lti/jwks. Default DATA_DIR/lti-tool-key.pem, made on first use (embedded mode only)
    lti_key_file: str = ""
    lti_previous_keys: str = (
        ""  # comma-separated files of retired tool keys, still published during a rotation
    )
    lti_jwks_cache_seconds: int = 300  # how long a platform's fetched key set is trusted before a refetch
    lti_login_seconds: int = 600  # how long a login's state and nonce wait for the launch that completes it
    lti_clock_skew: int = 60  # seconds of clock difference allowed when checking an id_token's exp and iat
    log_level: str = "INFO"
    # werkzeug's method for new password hashes: "scrypt" (its default cost) or "scrypt:N:r:p".
    # Only tests lower it (a hash per test account was most of the web tests' time); a stored hash
    # names its own method, so logins keep working whatever this says.
    password_hash_method: str = "scrypt"

    def __post_init__(self) -> None:
        self._check_deployment()
        for name, (_, derive) in DERIVED.items():
            if not getattr(self, name):
                object.__setattr__(self, name, derive(self))
        if self.public_url and not self.public_url.startswith(("https://", "http://")):
            raise BadInput(
                f"AUTOGRADE_PUBLIC_URL must start with https:// or http://, not {self.public_url!r}"
            )
        if self.sandbox_runtime not in ("runc", "runsc"):
            raise BadInput(f"AUTOGRADE_SANDBOX_RUNTIME must be runc or runsc, not {self.sandbox_runtime!r}")
        if self.sandbox_image_id and not IMAGE_ID.fullmatch(self.sandbox_image_id):
            raise BadInput(
                f"AUTOGRADE_SANDBOX_IMAGE_ID must be a full image id, sha256: and 64 hex digits "
                f"(docker image inspect --format '{{{{.Id}}}}' IMAGE), not {self.sandbox_image_id!r}"
            )
        for name in (
            "max_upload_bytes",
            "memory_mb",
            "pids_limit",
            "nofile_limit",
            "scratch_mb",
            "output_limit_bytes",
            "web_threads",
            "web_connection_limit",
            "client_idle_timeout",
            "client_request_timeout",
        ):
            if getattr(self, name) <= 0:
                raise BadInput(f"AUTOGRADE_{name.upper()} must be positive")
        if not PASSWORD_HASH_METHOD.fullmatch(self.password_hash_method):
            raise BadInput(
                f"AUTOGRADE_PASSWORD_HASH_METHOD must be scrypt or scrypt:N:r:p, not {self.password_hash_method!r}"
            )
        if self.exam_yield_seconds < 0:
            raise BadInput("AUTOGRADE_EXAM_YIELD_SECONDS must be 0 (never yield) or more")
        if self.warm_pool_size < 0 or self.warm_pool_reserve < 0:
            raise BadInput("AUTOGRADE_WARM_POOL_SIZE and AUTOGRADE_WARM_POOL_RESERVE must be 0 or more")
        if self.proxy_hops < 0:
            raise BadInput("AUTOGRADE_PROXY_HOPS must be 0 (no proxy in front) or the number of proxies")
        if self.lti_clock_skew < 0:
            raise BadInput("AUTOGRADE_LTI_CLOCK_SKEW must be 0 (exact clocks) or more seconds")
        for name in ("rate_limit_logins", "rate_limit_login_addresses"):
            if getattr(self, name) < 0:
                raise BadInput(f"AUTOGRADE_{name.upper()} must be 0 (no limit) or more")
        for name in (
            "webhook_window",
            "callback_max_attempts",
            "rate_limit_window",
            "rate_limit_login_window",
            "session_hours",
            "rate_limit_access_code_window",
            "lti_jwks_cache_seconds",
            "lti_login_seconds",
        ):
            if getattr(self, name) <= 0:
                raise BadInput(f"AUTOGRADE_{name.upper()} must be positive")
        for name in ("rate_limit_submissions", "rate_limit_access_codes", "rate_limit_access_codes_per_exam"):
            if getattr(self, name) < 0:
                raise BadInput(f"AUTOGRADE_{name.upper()} must be 0 (no limit) or more")
        for name in (
            "cell_timeout",
            "notebook_timeout",
            "cpus",
            "callback_timeout",
            "callback_backoff_base",
            "callback_backoff_cap",
            "worker_ttl",
            "watch_interval",
        ):
            if getattr(self, name) <= 0:
                raise BadInput(f"AUTOGRADE_{name.upper()} must be positive")

    def _check_deployment(self) -> None:
        """Before any default is filled in: in distributed mode a default would be one host's own."""
        if self.deployment_mode not in DEPLOYMENT_MODES:
            raise BadInput(
                f"AUTOGRADE_DEPLOYMENT_MODE must be embedded or distributed, not {self.deployment_mode!r}"
            )
        if self.deployment_id and not DEPLOYMENT_ID.fullmatch(self.deployment_id):
            raise BadInput(
                f"AUTOGRADE_DEPLOYMENT_ID must be 1-63 characters of a-z, 0-9, '.', '_' and '-', starting "
                f"with a letter or digit, not {self.deployment_id!r}"
            )
        if self.secret_key and self.secret_key_file:
            raise BadInput("set AUTOGRADE_SECRET_KEY or AUTOGRADE_SECRET_KEY_FILE, not both")
        if self.distributed:
            missing = distributed_gaps(self)
            if missing:
                raise BadInput(
                    f"AUTOGRADE_DEPLOYMENT_MODE=distributed needs shared configuration: {'; '.join(missing)}"
                )

    @property
    def distributed(self) -> bool:
        return self.deployment_mode == "distributed"

    @property
    def previous_records_key_files(self) -> tuple[str, ...]:
        return tuple(name.strip() for name in self.records_previous_keys.split(",") if name.strip())

    @property
    def previous_lti_key_files(self) -> tuple[str, ...]:
        return tuple(name.strip() for name in self.lti_previous_keys.split(",") if name.strip())

    @property
    def https(self) -> bool:
        """The pages are served over HTTPS, as the public address says (or as configured outright)."""
        return self.session_cookie_secure or self.public_url.startswith("https://")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read ``AUTOGRADE_<FIELD>`` for each field, converting to the field's type."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = environ.get(PREFIX + f.name.upper())
            if raw is None:
                continue
            values[f.name] = _convert(f.name, raw, f.type)
        values.update(overrides)
        return cls(**values)

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes``; a default derived from a changed setting is derived again, not kept."""
        for name, (inputs, derive) in DERIVED.items():
            if name not in changes and inputs & changes.keys() and getattr(self, name) == derive(self):
                changes[name] = ""
        return dataclasses.replace(self, **changes)

    def redacted(self) -> dict[str, Any]:
        """The settings as a dict, with secrets hidden, for start-up logs."""
        out = dataclasses.asdict(self)
        for name in SECRET_FIELDS:
            if out.get(name):
                out[name] = _redact(name, out[name])
        return out

    def log_startup(self) -> None:
        log.info("settings: %s", self.redacted())


def distributed_gaps(settings: Settings) -> list[str]:
    """What a distributed deployment lacks, each as the setting to give and why a per-host default will not do."""
    gaps = []
    if not settings.database_url:
        gaps.append(
            "AUTOGRADE_DATABASE_URL (the PostgreSQL every host shares; without it each host would keep "
            "submissions in its own SQLite file)"
        )
    elif settings.database_url.startswith("sqlite"):
        gaps.append(
            "AUTOGRADE_DATABASE_URL must be PostgreSQL, not SQLite (a file on one host that no other host reads)"
        )
    if not (settings.secret_key or settings.secret_key_file):
        gaps.append(
            "AUTOGRADE_SECRET_KEY_FILE (the session secret every web host shares, so a login holds on each)"
        )
    if not settings.records_key_file:
        gaps.append(
            "AUTOGRADE_RECORDS_KEY_FILE (the Ed25519 key that signs records, the same on every web host)"
        )
    if not settings.deployment_id:
        gaps.append("AUTOGRADE_DEPLOYMENT_ID (names this deployment's sandboxes on a shared Docker engine)")
    return gaps


def derived_deployment_id(redis_url: str, queue_prefix: str) -> str:
    """The embedded default: the workers sharing one Redis database and queue prefix are one deployment.

    The same value as before the setting existed, so sandboxes labelled then are still known as ours.
    """
    return hashlib.sha256(f"{redis_url}|{queue_prefix}".encode()).hexdigest()[:16]


DERIVED: dict[str, tuple[frozenset[str], Callable[[Settings], str]]] = {
    # setting: (the settings its default is made from, how) -- filled in when left empty
    "database_url": (frozenset({"data_dir"}), lambda s: f"sqlite:///{Path(s.data_dir) / 'autograde.db'}"),
    "records_key_file": (
        frozenset({"data_dir"}),
        lambda s: str(Path(s.data_dir) / "records-signing-key.pem"),
    ),
    "lti_key_file": (frozenset({"data_dir"}), lambda s: str(Path(s.data_dir) / "lti-tool-key.pem")),
    "deployment_id": (
        frozenset({"redis_url", "queue_prefix"}),
        lambda s: derived_deployment_id(s.redis_url, s.queue_prefix),
    ),
}


def _redact(name: str, value: str) -> str:
    if name.endswith("_url") and "@" in value:
        scheme, _, rest = value.partition("://")
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return value if name.endswith("_url") else "***"


def _boolean(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(raw)


def _convert(name: str, raw: str, kind: Any) -> Any:
    kind = kind if isinstance(kind, str) else getattr(kind, "__name__", str(kind))
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bool":
            return _boolean(raw)
    except ValueError as exc:
        raise BadInput(f"{PREFIX}{name.upper()}={raw!r} is not a {kind}") from exc
    return raw
