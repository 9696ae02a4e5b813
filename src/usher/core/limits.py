"""Abuse limits: fixed-window counters per client address and per account, with self-expiring lock-out.

A slot is taken before the expensive or secret-revealing work (a password check, a code comparison, a mail),
so 200 parallel wrong passwords cannot get past the threshold; a success gives its per-account slot back, so
only failures lock an account. Counters live behind the RateCounter port (database, Redis, or memory).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from usher.core.errors import RateLimited
from usher.core.models import RequestContext
from usher.core.ports import Clock, RateCounter


@dataclass(frozen=True, slots=True)
class Rule:
    limit: int
    window: int  # seconds


@dataclass(frozen=True, slots=True)
class LimitPolicy:
    """Defaults in the spirit of OWASP ASVS V2.2: generous for people, tight for scripts."""

    signin_per_address: Rule = Rule(30, 300)
    signin_per_account: Rule = Rule(10, 900)  # the lock-out: ten failures lock the account for the window
    signup_per_address: Rule = Rule(20, 3600)
    code_per_address: Rule = Rule(30, 300)
    code_per_account: Rule = Rule(10, 900)
    mail_per_address: Rule = Rule(20, 3600)
    mail_per_recipient: Rule = Rule(5, 3600)
    refresh_per_address: Rule = Rule(300, 60)
    # App backends (secret-key callers) that pass no end-user address share one larger per-app budget.
    backend_factor: int = 20


@dataclass(frozen=True, slots=True)
class Slot:
    key: str
    rule: Rule


def policy_from(limits: dict[str, int]) -> LimitPolicy:
    """A policy with the given attempt counts (`signin_per_address=...`), keeping the default windows."""
    base = LimitPolicy()
    rules: dict[str, Any] = {name: Rule(count, getattr(base, name).window) for name, count in limits.items()}
    return dataclasses.replace(base, **rules)


class Limiter:
    def __init__(self, counter: RateCounter, clock: Clock, policy: LimitPolicy | None = None) -> None:
        self._counter = counter
        self._clock = clock
        self.policy = policy or LimitPolicy()

    def by_address(self, action: str, app_id: str, ctx: RequestContext, rule: Rule) -> Slot:
        if ctx.app_backend:
            return Slot(f"{action}:app:{app_id}", Rule(rule.limit * self.policy.backend_factor, rule.window))
        return Slot(f"{action}:addr:{app_id}:{ctx.client_address or '-'}", rule)

    def by_subject(self, action: str, app_id: str, subject: str, rule: Rule) -> Slot:
        return Slot(f"{action}:subj:{app_id}:{subject}", rule)

    async def allow(self, slot: Slot) -> bool:
        """Counts one attempt; False when the slot is over its limit. For limits that must not show (an
        account lock-out answers like a wrong password, so it reveals nothing)."""
        count, _ = await self._counter.hit(slot.key, slot.rule.window, self._clock.now())
        return count <= slot.rule.limit

    async def take(self, *slots: Slot) -> None:
        """Counts one attempt on every slot; RateLimited (with the longest wait) when any is over its limit."""
        now = self._clock.now()
        wait = 0
        for slot in slots:
            count, resets_at = await self._counter.hit(slot.key, slot.rule.window, now)
            if count > slot.rule.limit:
                wait = max(wait, max(1, int((resets_at - now).total_seconds() + 0.999)))
        if wait:
            raise RateLimited(wait)

    async def give_back(self, *slots: Slot) -> None:
        """Returns slots after a success, so that only failures count towards a lock-out."""
        for slot in slots:
            await self._counter.undo(slot.key)
