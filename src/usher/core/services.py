"""The bundle of core services that the edges (HTTP dialects, CLI) call; built by the container."""

from __future__ import annotations

from dataclasses import dataclass

from usher.core.accounts import AccountService
from usher.core.apps import AppService
from usher.core.audit import AuditTrail
from usher.core.auth import AuthService
from usher.core.keys import KeyService
from usher.core.recovery import RecoveryService
from usher.core.tokens import TokenService
from usher.core.verification import VerificationService


@dataclass(frozen=True, slots=True)
class Services:
    apps: AppService
    accounts: AccountService
    auth: AuthService
    audit: AuditTrail
    verification: VerificationService
    recovery: RecoveryService
    keys: KeyService
    tokens: TokenService
