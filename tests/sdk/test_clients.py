"""Every public method of Client and AsyncClient against the real app, in-process and over a loopback socket, on
SQLite and PostgreSQL: the steps of tests/sdk/steps.py in every World."""

from __future__ import annotations

import inspect

import pytest

from tests.sdk.conftest import World
from tests.sdk.steps import STEPS
from usher_client import AsyncClient, Client

LIFECYCLE = {"close", "aclose"}  # not endpoints; every World closes its clients


def public_methods(cls: type) -> set[str]:
    return {name for name, _ in inspect.getmembers(cls, inspect.isfunction) if not name.startswith("_")} - LIFECYCLE


@pytest.mark.parametrize("name", sorted(STEPS))
async def test_step(name: str, world: World) -> None:
    step = STEPS[name]
    await step.run(world)
    assert step.covers <= world.called, f"{name} names methods it did not call: {sorted(step.covers - world.called)}"


def test_every_public_method_of_both_clients_is_in_a_step() -> None:
    covered = set().union(*(step.covers for step in STEPS.values()))
    assert public_methods(Client) - covered == set(), "add a step in tests/sdk/steps.py"
    assert public_methods(AsyncClient) - covered == set(), "add a step in tests/sdk/steps.py"
    assert covered <= public_methods(Client) & public_methods(AsyncClient)


def test_both_clients_offer_the_same_methods_with_the_same_signatures() -> None:
    assert public_methods(Client) == public_methods(AsyncClient)
    for name in public_methods(Client):
        blocking, awaitable = getattr(Client, name), getattr(AsyncClient, name)
        assert inspect.iscoroutinefunction(awaitable) and not inspect.iscoroutinefunction(blocking), name
        assert inspect.signature(blocking) == inspect.signature(awaitable), name
        assert inspect.getdoc(blocking) == inspect.getdoc(awaitable), name
