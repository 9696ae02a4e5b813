"""Mail fixtures: TLS material for the test SMTP servers, and the dispatcher's collaborators as in-memory fakes.

tls_files   a self-signed certificate (127.0.0.1, localhost) and its key, made once per run
clock       FakeClock at helpers.START
fake_uow    units of work over an in-memory Store (apps) and a LeasingOutbox
apps        AppService over fake_uow (the `default` app, named "default")
"""

from __future__ import annotations

import pytest

from tests.fakes import FakeClock, FakeSecrets
from tests.mail.helpers import START, MailUnitOfWorkFactory, TlsFiles, make_tls_files
from usher.core.apps import AppService


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls_files(tmp_path_factory.mktemp("smtp-tls"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def fake_uow() -> MailUnitOfWorkFactory:
    return MailUnitOfWorkFactory()


@pytest.fixture
def apps(fake_uow: MailUnitOfWorkFactory, clock: FakeClock) -> AppService:
    return AppService(fake_uow, clock, FakeSecrets())
