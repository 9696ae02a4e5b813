"""Builds the running system from Settings: the only place that names concrete classes."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from usher.core.accounts import AccountService
from usher.core.apps import AppService
from usher.core.audit import AuditTrail
from usher.core.auth import AuthService
from usher.core.codes import CodeBook
from usher.core.keys import KeyService
from usher.core.limits import Limiter, policy_from
from usher.core.mailing import Mailbox
from usher.core.policy import PasswordPolicy
from usher.core.ports import Clock, Secrets
from usher.core.recovery import RecoveryService
from usher.core.services import Services
from usher.core.tokens import TokenMinter, TokenService
from usher.core.verification import VerificationService
from usher.limiting.database import DatabaseCounter
from usher.limiting.resilient import ResilientCounter
from usher.mail.dispatcher import DispatchConfig, Dispatcher
from usher.mail.transports import transport_for
from usher.security.common import common_passwords
from usher.security.passwords import Argon2Hasher
from usher.security.randomness import SystemClock, SystemSecrets
from usher.security.sealing import REFRESH_SUCCESSORS, SIGNING_KEYS, Sealer, derive_key, resolve_secret_key
from usher.security.tokens import PyJwtCodec
from usher.settings import Settings
from usher.storage.engine import make_engine
from usher.storage.health import ping
from usher.storage.lookup import session_lookup
from usher.storage.uow import SqlUnitOfWorkFactory


class Container:
    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        secrets: Secrets | None = None,
        rate_counter: ResilientCounter | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.secrets = secrets or SystemSecrets()
        self.engine: AsyncEngine = make_engine(
            settings.database_url, pool_size=settings.db_pool_size, timeout=settings.db_timeout
        )
        secret = resolve_secret_key(settings)
        # One deadline per unit of work, so that with the rate counter's own second a request answers 503 within
        # USHER_DB_TIMEOUT when the database is lost.
        self.uow = SqlUnitOfWorkFactory(
            self.engine,
            Sealer(secret),
            key_sealer=Sealer(secret, info=SIGNING_KEYS),
            deadline=settings.db_timeout * 0.5,
        )
        self.hasher = Argon2Hasher(
            time_cost=settings.argon2_time_cost,
            memory_kib=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            workers=settings.hash_workers,
            queue_limit=settings.hash_queue,
            niceness=settings.hash_niceness,
        )
        audit = AuditTrail(self.uow, self.clock)
        limits = {name.removeprefix("limit_"): value for name, value in settings if name.startswith("limit_")}
        # Abuse counters in Redis when USHER_REDIS_URL is set, else in the main database; closed with the container.
        redis_url = settings.redis_url.get_secret_value() if settings.redis_url else None
        self.rate_counter = rate_counter or (_redis_counter(redis_url) if redis_url else DatabaseCounter(self.engine))
        limiter = Limiter(self.rate_counter, self.clock, policy_from(limits))
        policy = PasswordPolicy(common_passwords())
        codes = CodeBook(self.clock, self.secrets)
        mailbox = Mailbox(self.clock, self.secrets)
        codec = PyJwtCodec(self.clock)
        minter = TokenMinter(
            self.clock, self.secrets, codec, settings.public_url, derive_key(secret, REFRESH_SUCCESSORS)
        )
        # Session checks read straight through the driver (storage.lookup), not through units of work.
        self.session_lookup = session_lookup(self.engine, self.uow, timeout=settings.db_timeout)
        auth = AuthService(self.uow, self.hasher, self.clock, self.secrets, audit, limiter, minter, self.session_lookup)
        self.services = Services(
            apps=AppService(self.uow, self.clock, self.secrets),
            accounts=AccountService(self.uow, self.hasher, policy, self.clock, self.secrets, audit, limiter, minter),
            auth=auth,
            audit=audit,
            verification=VerificationService(self.uow, self.clock, codes, mailbox, auth, audit, limiter),
            recovery=RecoveryService(self.uow, self.hasher, policy, self.clock, codes, mailbox, audit, limiter),
            keys=KeyService(self.uow, self.clock, codec),
            tokens=TokenService(
                self.uow, self.clock, codec, minter, settings.public_url, audit, limiter, self.session_lookup
            ),
        )
        # Mail leaves through SMTP only when USHER_SMTP_URL is set; otherwise it stays in the outbox (development).
        transport = transport_for(settings.smtp_url.get_secret_value() if settings.smtp_url else None)
        self.dispatcher: Dispatcher | None = (
            Dispatcher(
                self.uow, self.services.apps, transport, self.clock, DispatchConfig(mail_from=settings.mail_from)
            )
            if transport is not None
            else None
        )

    async def ready(self) -> bool:
        return await ping(self.engine)

    async def close(self) -> None:
        self.hasher.close()
        await self.session_lookup.aclose()
        await self.rate_counter.close()
        await self.engine.dispose()


def _redis_counter(url: str) -> ResilientCounter:
    """Imported only when Redis is configured: redis-py costs each worker about 6 MiB."""
    from usher.limiting.redis import RedisCounter

    return RedisCounter(url)
