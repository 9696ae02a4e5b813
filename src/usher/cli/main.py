"""The `usher` command: the group, its subcommands, and the one place that turns errors into exit codes.

InvalidInput (a bad value), click usage errors, bad configuration    -> stderr, exit 2
any other UsherError (NotFound, Conflict, Unavailable ...)           -> stderr, exit 1
database unreachable or failing, other OS errors                     -> stderr, exit 1
"""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy.exc import DBAPIError

from usher import __version__
from usher.cli import apps, audit, db, keys, mail, serve, users
from usher.cli.runtime import BadValue, Failure
from usher.core.errors import InvalidInput, UsherError


class UsherGroup(click.Group):
    """A click group that maps every error raised below it, once."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InvalidInput as exc:
            raise BadValue(exc.message) from None
        except UsherError as exc:
            raise Failure(exc.message) from None
        except DBAPIError as exc:  # parameters are hidden by the engine; the driver's message is safe to show
            raise Failure(f"database error: {exc.orig if exc.orig is not None else exc}") from None
        except OSError as exc:  # refused connections, time-outs, unreadable files
            raise Failure(f"{type(exc).__name__}: {exc}") from None


@click.group(name="usher", cls=UsherGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="usher")
def main() -> None:
    """usher: accounts, sign-in, sessions and tokens. Configuration comes from USHER_* variables."""


main.add_command(serve.serve)
main.add_command(db.db)
main.add_command(apps.apps)
main.add_command(users.users)
main.add_command(mail.mail)
main.add_command(keys.keys)
main.add_command(audit.audit)
