"""Schemathesis against the native OpenAPI document: for every operation, valid and invalid generated requests
never get a 5xx, and every answer conforms to the documented responses (status, content type, body schema).

The app runs in Schemathesis's own ASGI client (its own event loop thread, its own container on the test's
database); rate limits are raised so that generated input reaches the code behind them. Calls carry, at random,
the app's secret key, a live session token or no credential; the app and user in the path are mostly real ones.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import conftest as suite
from tests.dialects.native.helpers import BASE, PASSWORD, sign_up
from usher.app import create_app
from usher.settings import Settings

# Per operation and generation mode (~30 operations x 2 modes): about half a minute per backend on 2 cores.
# USHER_FUZZ_EXAMPLES=500 makes a deeper run by hand.
EXAMPLES = int(os.environ.get("USHER_FUZZ_EXAMPLES", "10"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
LIMITS = {name: 1_000_000 for name in Settings.model_fields if name.startswith("limit_")}


@pytest.fixture
async def user(api: httpx.AsyncClient) -> dict[str, Any]:
    """A signed-up user of `default` (its id goes into generated paths)."""
    body = await sign_up(api, "fuzz@example.com")
    return body["user"]  # type: ignore[no-any-return]


@pytest.fixture
def fuzzed_app(database_url: str, user: dict[str, Any]) -> Iterator[Any]:
    app = create_app(suite.test_settings(database_url, **LIMITS))
    try:
        yield app
    finally:
        asgi.shutdown_lifespans()  # closes the container the app built in Schemathesis's loop


def test_native_api_survives_schemathesis(fuzzed_app: Any, app_key: str, user: dict[str, Any]) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app)
    client = asgi.get_client(fuzzed_app)
    failures: list[str] = []
    operations = []
    for result in schema.get_all_operations():
        if isinstance(result, Ok):
            operations.append(result.ok())
        else:
            failures.append(f"unusable operation in /openapi.json: {result.err()}")
    assert len(operations) >= 25
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz(operation, mode, client, app_key, user["id"])
            except (Exception, FailureGroup) as error:  # collected: one run reports every failing operation
                failures.append(f"{operation.label} [{mode.value}]: {type(error).__name__}: {error}")
    assert not failures, "\n\n".join(failures)


def _fuzz(operation: Any, mode: GenerationMode, client: asgi.ASGIClient, app_key: str, user_id: str) -> None:
    @given(
        case=operation.as_strategy(generation_mode=mode),
        credential=st.sampled_from(["key", "session", None]),
        real=st.integers(0, 3),
    )
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure prints its curl, and time stays bounded
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any, credential: str | None, real: int) -> None:
        path = case.path_parameters or {}
        if path.get("app_id") and real:  # three in four calls name the real app and user
            path["app_id"] = "default"
            if "user_id" in path:
                path["user_id"] = user_id
        headers = {}
        if credential == "key":
            headers["Authorization"] = f"Bearer {app_key}"
        elif credential == "session":
            headers["Authorization"] = f"Bearer {_session(client)}"
        response = case.call(session=client, headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    run()


def _session(client: asgi.ASGIClient) -> str:
    """The session of a new user: generated calls may sign out, disable or delete the ones before."""
    email = f"fuzz{next(_serial)}@example.com"
    response = client.post(f"{BASE}/signup", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return str(response.json()["session"]["token"])


_serial = itertools.count()
