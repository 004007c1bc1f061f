"""The integrator's operators and their sign-in to the admin portal.

Sign-in is limited per email through Redis, so every backend process shares
the count: after `max_failures` wrong passwords within `window_s`, the email
is locked for `lockout_s`, whether or not an operator has that email, so the
answer never tells which addresses exist. Each attempt is booked as a failure
before its password is checked and unbooked when it succeeds: a burst of
parallel guesses cannot slip past the limit between check and count.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

import redis
from sqlmodel import select

from runtime.logs import get_logger
from runtime.settings import get_settings
from store.db import session_scope
from store.models import Operator
from store.types import utcnow
from sync.errors import ConfigurationError, RateLimited, RetriableError

log = get_logger(__name__)

_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


# TODO: the limit counts per email only. Guessing one password against many
# emails is not slowed; a per-client limit needs the client's address, which
# the portal only sees through Reflex's websocket and any proxy in front.
# TODO: nothing lifts a lock early: a locked-out operator waits out the lockout
# (or someone deletes the email's `signin:lock:*` key in Redis).
@dataclass(frozen=True)
class SignInPolicy:
    """How many wrong passwords an email may send, and how long it then waits."""

    max_failures: int = 5
    window_s: int = 15 * 60
    lockout_s: int = 15 * 60


SIGNIN_POLICY = SignInPolicy()

# Both scripts answer {lock_ms, locked_now}: the lock's remaining milliseconds
# (0 when there is none) and 1 when this call set it. Redis's own clock dates
# the attempts, so every backend agrees on the window.
_BOOK_ATTEMPT = """
local lock_ms = redis.call('PTTL', KEYS[2])
if lock_ms > 0 then return {lock_ms, 0} end
local clock = redis.call('TIME')
local now_ms = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms - tonumber(ARGV[1]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return {tonumber(ARGV[3]), 1}
end
redis.call('ZADD', KEYS[1], now_ms, ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return {0, 0}
"""

# After a wrong password: lock the email once the window holds enough failures.
_SETTLE_FAILURE = """
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then return {0, 0} end
redis.call('DEL', KEYS[1])
if redis.call('SET', KEYS[2], '1', 'PX', ARGV[2], 'NX') then
  return {tonumber(ARGV[2]), 1}
end
return {redis.call('PTTL', KEYS[2]), 0}
"""


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    expected = hash_password(password, bytes.fromhex(salt_hex)).split("$")[2]
    return hmac.compare_digest(expected, digest_hex)


def ensure_operator(email: str, password: str) -> Operator:
    """Create the operator, or reset its password to `password`."""
    email = email.strip().lower()
    with session_scope() as session:
        operator = session.exec(select(Operator).where(Operator.email == email)).first()
        if operator is None:
            operator = Operator(email=email, password_hash="")
        if not check_password(password, operator.password_hash):
            operator.password_hash = hash_password(password)
        session.add(operator)
        return operator


def find_operator(email: str, password: str) -> Operator | None:
    """The operator when the password matches, else None, at the same cost.

    No limit applies here: the portal signs in through `authenticate`.
    """
    email = email.strip().lower()
    with session_scope() as session:
        operator = session.exec(select(Operator).where(Operator.email == email)).first()
    if operator is None:
        hash_password(password)  # same cost whether the address exists or not
        return None
    return operator if check_password(password, operator.password_hash) else None


def signin_keys(email: str) -> tuple[str, str]:
    """The Redis keys of an email's failures and lock; the email is hashed so
    Redis holds no address."""
    digest = hashlib.sha256(email.encode()).hexdigest()[:32]
    return f"signin:failures:{digest}", f"signin:lock:{digest}"


def refuse_locked(
    email: str, lock_ms: int, *, locked_now: bool, policy: SignInPolicy
) -> RateLimited:
    """The refusal of a locked email, saying when to try again; the lockout
    itself is logged once, by the attempt that set it."""
    retry_after_s = max(1, -(-lock_ms // 1000))
    if locked_now:
        log.warning(
            "operator.signin_locked",
            email=email,
            failures=policy.max_failures,
            window_s=policy.window_s,
            lockout_s=retry_after_s,
        )
    until = utcnow() + timedelta(seconds=retry_after_s)
    minutes = -(-retry_after_s // 60)
    return RateLimited(
        "Too many failed sign-ins for this email: try again after "
        f"{until:%H:%M} UTC (in {minutes} minute{'s' if minutes > 1 else ''}).",
        retry_after_s=retry_after_s,
    )


def open_redis() -> redis.Redis:
    url = get_settings().redis_url
    if not url:
        raise ConfigurationError(
            "REDIS_URL is not set, and sign-in is limited through Redis: start "
            "the product with `make run` or point REDIS_URL at a Redis server"
        )
    return redis.Redis.from_url(url, socket_timeout=5)


def book_attempt(
    client: redis.Redis, keys: tuple[str, str], policy: SignInPolicy
) -> tuple[int, bool]:
    """Count the attempt as a failure ahead of the check; (lock_ms, locked_now)."""
    lock_ms, locked_now = client.eval(
        _BOOK_ATTEMPT,
        2,
        *keys,
        policy.window_s * 1000,
        policy.max_failures,
        policy.lockout_s * 1000,
        uuid.uuid4().hex,
    )
    return int(lock_ms), bool(locked_now)


def settle_failure(
    client: redis.Redis, keys: tuple[str, str], policy: SignInPolicy
) -> tuple[int, bool]:
    """Lock the email if this failure filled the window; (lock_ms, locked_now)."""
    lock_ms, locked_now = client.eval(
        _SETTLE_FAILURE, 2, *keys, policy.max_failures, policy.lockout_s * 1000
    )
    return int(lock_ms), bool(locked_now)


def authenticate(
    email: str, password: str, *, policy: SignInPolicy = SIGNIN_POLICY
) -> Operator | None:
    """The operator when the password matches, None when it does not.

    Raises RateLimited while the email is locked, including on the failure
    that locks it, and RetriableError when Redis does not answer (sign-in
    stays closed rather than unlimited).
    """
    email = email.strip().lower()
    keys = signin_keys(email)
    try:
        with open_redis() as client:
            lock_ms, locked_now = book_attempt(client, keys, policy)
            if not lock_ms:
                operator = find_operator(email, password)
                if operator is not None:
                    client.delete(keys[0])
                    return operator
                log.warning("operator.signin_failed", email=email)
                lock_ms, locked_now = settle_failure(client, keys, policy)
    except redis.RedisError as error:
        raise RetriableError(
            f"sign-in is unavailable: Redis did not answer ({type(error).__name__}); "
            "try again in a minute, or check that Redis runs"
        ) from error

    if lock_ms:
        raise refuse_locked(email, lock_ms, locked_now=locked_now, policy=policy)
    return None
