"""`usher users`: create, list, disable, enable and delete accounts of one application by hand."""

from __future__ import annotations

import sys

import click

from usher.cli.output import USER_COLUMNS, Output, json_option, user_json
from usher.cli.runtime import CLI_CONTEXT, BadValue, run
from usher.container import Container
from usher.core.accounts import Registration
from usher.core.errors import NotFound
from usher.core.models import Page, User

app_option = click.option("--app", "app_id", required=True, metavar="ID", help="The application.")


@click.group()
def users() -> None:
    """Accounts of one application."""


def _password(password: str | None, from_stdin: bool) -> str:
    if (password is None) == (not from_stdin):
        raise BadValue("give exactly one of --password and --password-stdin")
    if password is not None:
        return password
    return sys.stdin.read().rstrip("\r\n")


@users.command()
@app_option
@click.option("--email", required=True, help="Email address.")
@click.option("--username", help="Username (optional).")
@click.option("--password", help="Password (visible to other local users: prefer --password-stdin).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--admin", is_flag=True, help="Make the user an admin of the application.")
@click.option("--verified", is_flag=True, help="Mark the email address as verified.")
@click.option("--first-name", default="", help="First name.")
@click.option("--last-name", default="", help="Last name.")
@json_option
def create(
    app_id: str,
    email: str,
    username: str | None,
    password: str | None,
    password_stdin: bool,
    admin: bool,
    verified: bool,
    first_name: str,
    last_name: str,
    out: Output,
) -> None:
    """Create a user (sign-up rules such as a closed sign-up do not apply to admins)."""
    registration = Registration(
        password=_password(password, password_stdin),
        email=email,
        username=username,
        first_name=first_name,
        last_name=last_name,
        is_admin=admin,
        email_verified=verified,
    )

    async def work(container: Container) -> User:
        svc = container.services
        app = await svc.apps.get(app_id)
        return await svc.accounts.register(app, registration, CLI_CONTEXT, self_service=False)

    out.object(user_json(run(work)))


@users.command("list")
@app_option
@click.option("--limit", default=25, show_default=True, help="At most this many users (up to 1000).")
@click.option("--offset", default=0, show_default=True, help="Skip this many users.")
@json_option
def list_(app_id: str, limit: int, offset: int, out: Output) -> None:
    """List the users of an application."""

    async def work(container: Container) -> Page:
        svc = container.services
        await svc.apps.get(app_id)
        return await svc.accounts.list(app_id, limit, offset)

    page = run(work)
    shown = f"{page.offset + 1}-{page.offset + len(page.users)}" if page.users else "none"
    footer = f"{shown} of {page.total} users"
    out.rows([user_json(user) for user in page.users], USER_COLUMNS, footer)


async def _resolve(container: Container, app_id: str, who: str) -> User:
    """USER is a user id, or else a username or an email address."""
    svc = container.services
    await svc.apps.get(app_id)
    try:
        return await svc.accounts.get(app_id, who)
    except NotFound:
        return await svc.accounts.find_by_identifier(app_id, who)


def _set_disabled(app_id: str, who: str, disabled: bool, out: Output) -> None:
    async def work(container: Container) -> User:
        user = await _resolve(container, app_id, who)
        return await container.services.accounts.set_disabled(app_id, user.id, disabled, CLI_CONTEXT)

    out.object(user_json(run(work)))


@users.command()
@app_option
@click.argument("who", metavar="USER")
@json_option
def disable(app_id: str, who: str, out: Output) -> None:
    """Disable a user (by id, username or email) and end all of its sessions."""
    _set_disabled(app_id, who, True, out)


@users.command()
@app_option
@click.argument("who", metavar="USER")
@json_option
def enable(app_id: str, who: str, out: Output) -> None:
    """Let a disabled user (by id, username or email) sign in again."""
    _set_disabled(app_id, who, False, out)


@users.command()
@app_option
@click.argument("who", metavar="USER")
@json_option
def delete(app_id: str, who: str, out: Output) -> None:
    """Delete a user (by id, username or email) and its sessions."""

    async def work(container: Container) -> User:
        user = await _resolve(container, app_id, who)
        await container.services.accounts.delete(app_id, user.id, CLI_CONTEXT)
        return user

    user = run(work)
    if out.as_json:
        out.object({"id": user.id, "deleted": True})
    else:
        click.echo(f"deleted user {user.id}")
