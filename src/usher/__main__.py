"""`python -m usher` is the `usher` command."""

from usher.cli.main import main

main()
