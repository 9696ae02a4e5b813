"""Builds the running system from Settings: the only place that names concrete classes."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from usher.core.accounts import AccountService
from usher.core.apps import AppService
from usher.core.audit import AuditTrail
from usher.core.auth import AuthService
from usher.core.codes import CodeBook
from usher.core.mailing import Mailbox
from usher.core.policy import PasswordPolicy
from usher.core.ports import Clock, Secrets
from usher.core.recovery import RecoveryService
from usher.core.services import Services
from usher.core.verification import VerificationService
from usher.security.common import common_passwords
from usher.security.passwords import Argon2Hasher
from usher.security.randomness import SystemClock, SystemSecrets
from usher.settings import Settings
from usher.storage.engine import make_engine
from usher.storage.health import ping
from usher.storage.uow import SqlUnitOfWorkFactory


class Container:
    def __init__(self, settings: Settings, *, clock: Clock | None = None, secrets: Secrets | None = None) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.secrets = secrets or SystemSecrets()
        self.engine: AsyncEngine = make_engine(
            settings.database_url, pool_size=settings.db_pool_size, timeout=settings.db_timeout
        )
        self.uow = SqlUnitOfWorkFactory(self.engine)
        self.hasher = Argon2Hasher(
            time_cost=settings.argon2_time_cost,
            memory_kib=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            workers=settings.hash_workers,
            queue_limit=settings.hash_queue,
        )
        audit = AuditTrail(self.uow, self.clock)
        policy = PasswordPolicy(common_passwords())
        codes = CodeBook(self.clock, self.secrets)
        mailbox = Mailbox(self.clock, self.secrets)
        auth = AuthService(self.uow, self.hasher, self.clock, self.secrets, audit)
        self.services = Services(
            apps=AppService(self.uow, self.clock, self.secrets),
            accounts=AccountService(self.uow, self.hasher, policy, self.clock, self.secrets, audit),
            auth=auth,
            audit=audit,
            verification=VerificationService(self.uow, self.clock, codes, mailbox, auth, audit),
            recovery=RecoveryService(self.uow, self.hasher, policy, self.clock, codes, mailbox, audit),
        )

    async def ready(self) -> bool:
        return await ping(self.engine)

    async def close(self) -> None:
        self.hasher.close()
        await self.engine.dispose()
