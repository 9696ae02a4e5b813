"""Applications (tenants): creation, secret keys with a grace period on rotation, settings.

Running servers read apps through a short cache, so a change made with the CLI takes effect everywhere
within CACHE_SECONDS (SPEC §1 promises two seconds).
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

from usher.core.app_settings import apply_setting
from usher.core.errors import InvalidInput, NotFound, Unauthenticated
from usher.core.identity import digest
from usher.core.models import App, AppSecret, AppSettings
from usher.core.ports import Clock, Secrets, UnitOfWorkFactory

SECRET_PREFIX = "usk_"  # noqa: S105 (a prefix, not a secret)
CACHE_SECONDS = 1.0
APP_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
_SECRET_SHAPE = re.compile(r"usk_[A-Za-z0-9_-]{43}")


def looks_like_secret_key(value: str) -> bool:
    """App secret keys have a recognisable shape, so a Bearer value can be told apart from a token."""
    return bool(_SECRET_SHAPE.fullmatch(value))


class AppService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, secrets: Secrets) -> None:
        self._uow = uow
        self._clock = clock
        self._secrets = secrets
        self._by_id: dict[str, tuple[float, App | None]] = {}
        self._by_key: dict[str, tuple[float, App | None]] = {}

    async def create(self, name: str, app_id: str | None = None) -> tuple[App, str]:
        """A new app and its first secret key (returned once, stored as a digest)."""
        name = name.strip()
        if not name or len(name) > 200:
            raise InvalidInput("name must be 1 to 200 characters", field="name")
        app_id = app_id if app_id is not None else self._secrets.public_id("app").lower()
        if not APP_ID.fullmatch(app_id):
            raise InvalidInput("id must be 1 to 63 of a-z 0-9 _ - and start with a letter or digit", field="id")
        now = self._clock.now()
        key = SECRET_PREFIX + self._secrets.token()
        async with self._uow(write=True) as uow:
            app = await uow.apps.insert(App(app_id, name, AppSettings(), now, now, has_secret=True))
            await uow.apps.set_secret(AppSecret(app_id, digest(key), None, None), now)
        return app, key

    async def rotate_secret(self, app_id: str, grace_seconds: int = 0) -> str:
        """A new secret key; the old one keeps working for `grace_seconds`."""
        if not 0 <= grace_seconds <= 30 * 24 * 3600:
            raise InvalidInput("grace must be between 0 and 2592000 seconds", field="grace")
        now = self._clock.now()
        key = SECRET_PREFIX + self._secrets.token()
        async with self._uow(write=True) as uow:
            old = await uow.apps.get_secret(app_id)
            if old is None:
                raise NotFound("app")
            keep_old = old.digest is not None and grace_seconds > 0
            await uow.apps.set_secret(
                AppSecret(
                    app_id,
                    digest(key),
                    old.digest if keep_old else None,
                    now + timedelta(seconds=grace_seconds) if keep_old else None,
                ),
                now,
            )
        self._by_key.clear()
        return key

    async def get(self, app_id: str) -> App:
        cached = self._by_id.get(app_id)
        if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
            app = cached[1]
        else:
            async with self._uow() as uow:
                app = await uow.apps.get(app_id)
            self._remember(self._by_id, app_id, app)
        if app is None:
            raise NotFound("app")
        return app

    async def authenticate_key(self, key: str) -> App:
        """The app this secret key belongs to; Unauthenticated for anything else."""
        if not looks_like_secret_key(key):
            raise Unauthenticated("invalid app secret key")
        key_digest = digest(key)
        cached = self._by_key.get(key_digest)
        if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
            app = cached[1]
        else:
            async with self._uow() as uow:
                app = await uow.apps.find_by_secret_digest(key_digest, self._clock.now())
            self._remember(self._by_key, key_digest, app)
        if app is None:
            raise Unauthenticated("invalid app secret key")
        return app

    async def list(self) -> list[App]:
        async with self._uow() as uow:
            return await uow.apps.list()

    async def configure(self, app_id: str, values: dict[str, str]) -> App:
        """Applies `key=value` settings (all or none); see core.app_settings for the keys."""
        async with self._uow(write=True) as uow:
            app = await uow.apps.get(app_id)
            if app is None:
                raise NotFound("app")
            settings = app.settings
            for key, value in values.items():
                settings = apply_setting(settings, key, value)
            updated = await uow.apps.update_settings(app_id, settings, self._clock.now())
        if updated is None:
            raise NotFound("app")
        self._by_id.pop(app_id, None)
        return updated

    def _remember(self, cache: dict[str, tuple[float, App | None]], key: str, app: App | None) -> None:
        if len(cache) > 10_000:  # bounded: random keys must not grow memory without end
            cache.clear()
        cache[key] = (time.monotonic(), app)
