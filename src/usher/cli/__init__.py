"""The `usher` command line: one module per command group (serve, db, apps, users); entry point main.main."""
