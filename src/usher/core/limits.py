"""Abuse limits: fixed-window counters per client address and per account, with a progressive, self-expiring
lock-out.

A slot is taken before the expensive or secret-revealing work (a password check, a code comparison, a mail),
so 200 parallel wrong passwords cannot get past the threshold; a success gives its per-account slot back, so
only failures lock an account. Counters live behind the RateCounter port (database, Redis, or memory).

Per-account rules have tiers, each counted in a fixed window of its own; an attempt goes ahead only while every
tier is within its limit, so an attacker who comes back after each lock-out is locked for longer each time:

    sign-in, password re-confirmation      code checks
     10 failures in 15 minutes               10 in 15 minutes
     20 in an hour                           20 in an hour
     40 in a day                             40 in a day
    100 in a week

NIST SP 800-63B §5.2.2 allows at most 100 consecutive failures before an account needs recovery; here no more
than 100 fit in a week (the week's lock lasts until the week that began with the first failure ends), and every
lock expires by itself, since a permanent lock is one that anybody who knows an address can inflict. A locked
account can still reset its password, and a completed reset clears its counters. Code checks stop at a day:
codes already die after five wrong guesses and mail is limited per recipient, and a code lock also holds up the
owner's own recovery by code. A refused attempt checked nothing, so it is no guess: the longer tiers never count
it, and hammering a locked account does not lengthen its lock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from usher.core.errors import RateLimited
from usher.core.identity import canonical
from usher.core.models import RequestContext, User
from usher.core.ports import Clock, RateCounter

MINUTE, HOUR, DAY = 60, 3600, 86400


@dataclass(frozen=True, slots=True)
class Rule:
    """`limit` attempts per fixed `window` (seconds); `longer` are the further tiers of a progressive lock-out."""

    limit: int
    window: int  # seconds
    longer: tuple[Rule, ...] = ()

    def __post_init__(self) -> None:
        windows = [self.window, *(tier.window for tier in self.longer)]
        if windows != sorted(set(windows)):
            raise ValueError("each further tier needs a longer window than the one before")

    @property
    def tiers(self) -> tuple[Rule, ...]:
        return (Rule(self.limit, self.window), *self.longer)

    def with_limit(self, limit: int) -> Rule:
        """The rule with `limit` for its first tier; the longer tiers keep their proportion to it (rounded up)."""
        scaled = tuple(Rule(-(-tier.limit * limit // self.limit), tier.window) for tier in self.longer)
        return Rule(limit, self.window, scaled)


SIGNIN_LOCKOUT = Rule(10, 15 * MINUTE, (Rule(20, HOUR), Rule(40, DAY), Rule(100, 7 * DAY)))
CODE_LOCKOUT = Rule(10, 15 * MINUTE, (Rule(20, HOUR), Rule(40, DAY)))


@dataclass(frozen=True, slots=True)
class LimitPolicy:
    """Defaults in the spirit of OWASP ASVS V2.2: generous for people, tight for scripts."""

    signin_per_address: Rule = Rule(30, 300)
    signin_per_account: Rule = SIGNIN_LOCKOUT  # the lock-out; also re-confirming a password
    signup_per_address: Rule = Rule(20, 3600)
    code_per_address: Rule = Rule(30, 300)
    code_per_account: Rule = CODE_LOCKOUT
    mail_per_address: Rule = Rule(20, 3600)
    mail_per_recipient: Rule = Rule(5, 3600)
    refresh_per_address: Rule = Rule(300, 60)
    # App backends (secret-key callers) that pass no end-user address share one larger per-app budget.
    backend_factor: int = 20


@dataclass(frozen=True, slots=True)
class Slot:
    key: str
    rule: Rule

    def counters(self) -> list[tuple[str, Rule]]:
        """One counter per tier: the first keeps the slot's key (as before tiers existed), the others add
        their window."""
        tiers = self.rule.tiers
        return [(self.key, tiers[0]), *((f"{self.key}/{tier.window}s", tier) for tier in tiers[1:])]


def policy_from(limits: dict[str, int]) -> LimitPolicy:
    """A policy with the given attempt counts (`signin_per_address=...`), keeping the default windows; for a
    lock-out the count is its first tier's, and the longer tiers keep their proportion to it."""
    base = LimitPolicy()
    rules: dict[str, Any] = {name: getattr(base, name).with_limit(count) for name, count in limits.items()}
    return replace(base, **rules)


class Limiter:
    def __init__(self, counter: RateCounter, clock: Clock, policy: LimitPolicy | None = None) -> None:
        self._counter = counter
        self._clock = clock
        self.policy = policy or LimitPolicy()

    def by_address(self, action: str, app_id: str, ctx: RequestContext, rule: Rule) -> Slot:
        if ctx.app_backend:
            return Slot(f"{action}:app:{app_id}", rule.with_limit(rule.limit * self.policy.backend_factor))
        return Slot(f"{action}:addr:{app_id}:{ctx.client_address or '-'}", rule)

    def by_subject(self, action: str, app_id: str, subject: str, rule: Rule) -> Slot:
        return Slot(f"{action}:subj:{app_id}:{subject}", rule)

    def sign_in_slot(self, app_id: str, identifier: str) -> Slot:
        """The sign-in lock-out of one identifier (an email or a username), known to the app or not."""
        return self.by_subject("signin", app_id, canonical(identifier), self.policy.signin_per_account)

    def password_slot(self, app_id: str, user_id: str) -> Slot:
        """The lock-out of re-confirming (or changing) a signed-in user's password."""
        return self.by_subject("password", app_id, user_id, self.policy.signin_per_account)

    def code_slot(self, app_id: str, user_id: str) -> Slot:
        """The lock-out of guessing the short codes mailed to one account."""
        return self.by_subject("code", app_id, user_id, self.policy.code_per_account)

    async def allow(self, slot: Slot) -> bool:
        """Counts one attempt on every tier; False when any tier is over its limit. For limits that must not
        show (an account lock-out answers like a wrong password, so it reveals nothing)."""
        first, *longer = slot.counters()
        if not await self._within([first]):
            return False  # the usual refusal: one round trip, and the longer tiers never see it
        if longer and not await self._within(longer):
            await self._counter.undo(first[0], *(key for key, _ in longer))  # refused, so no guess to count
            return False
        return True

    async def take(self, *slots: Slot) -> None:
        """Counts one attempt on every slot; RateLimited (with the longest wait) when any is over its limit."""
        now = self._clock.now()
        counters = [counter for slot in slots for counter in slot.counters()]
        counts = await self._counter.hit_many([(key, rule.window) for key, rule in counters], now)
        over = [ends for (_, rule), (count, ends) in zip(counters, counts, strict=True) if count > rule.limit]
        if over:
            raise RateLimited(max(1, int((max(over) - now).total_seconds() + 0.999)))

    async def give_back(self, *slots: Slot) -> None:
        """Returns slots after a success, so that only failures count towards a lock-out."""
        await self._counter.undo(*(key for slot in slots for key, _ in slot.counters()))

    async def forgive(self, user: User) -> None:
        """Clears every lock-out of the account (sign-in by each of its identifiers, password re-confirmation,
        code checks): after a completed password reset the owner signs in at once."""
        slots = [self.sign_in_slot(user.app_id, value) for value in (user.email, user.username) if value]
        slots += [self.password_slot(user.app_id, user.id), self.code_slot(user.app_id, user.id)]
        keys = dict.fromkeys(key for slot in slots for key, _ in slot.counters())  # a username may be the email
        await self._counter.clear(*keys)

    async def _within(self, counters: list[tuple[str, Rule]]) -> bool:
        """Counts one attempt on each counter; whether all are still within their limits."""
        counts = await self._counter.hit_many([(key, rule.window) for key, rule in counters], self._clock.now())
        return all(count <= rule.limit for (_, rule), (count, _) in zip(counters, counts, strict=True))
