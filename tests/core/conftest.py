"""Core services wired to in-memory fakes."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.fakes import FakeClock, FakeCodec, FakeHasher, FakeSecrets, FakeUnitOfWorkFactory
from usher.core.accounts import AccountService
from usher.core.apps import AppService
from usher.core.audit import AuditTrail
from usher.core.auth import AuthService
from usher.core.codes import CodeBook
from usher.core.limits import Limiter
from usher.core.mailing import Mailbox
from usher.core.models import App
from usher.core.policy import PasswordPolicy
from usher.core.recovery import RecoveryService
from usher.core.tokens import TokenMinter
from usher.core.verification import VerificationService
from usher.limiting.memory import MemoryCounter


@dataclass
class Core:
    uow: FakeUnitOfWorkFactory
    clock: FakeClock
    hasher: FakeHasher
    apps: AppService
    accounts: AccountService
    auth: AuthService
    verification: VerificationService
    recovery: RecoveryService

    async def app(self) -> App:
        return await self.apps.get("default")


@pytest.fixture
def core() -> Core:
    uow, clock, hasher, secrets = FakeUnitOfWorkFactory(), FakeClock(), FakeHasher(), FakeSecrets()
    audit = AuditTrail(uow, clock)
    limiter = Limiter(MemoryCounter(), clock)
    policy = PasswordPolicy(["password123", "qwertyuiop"])
    codes, mailbox = CodeBook(clock, secrets), Mailbox(clock, secrets)
    minter = TokenMinter(clock, secrets, FakeCodec(), "http://testserver", b"k" * 32)
    auth = AuthService(uow, hasher, clock, secrets, audit, limiter, minter)
    return Core(
        uow=uow,
        clock=clock,
        hasher=hasher,
        apps=AppService(uow, clock, secrets),
        accounts=AccountService(uow, hasher, policy, clock, secrets, audit, limiter, minter),
        auth=auth,
        verification=VerificationService(uow, clock, codes, mailbox, auth, audit, limiter),
        recovery=RecoveryService(uow, hasher, policy, clock, codes, mailbox, audit, limiter),
    )
