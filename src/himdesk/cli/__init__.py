"""The `himdesk` command line (Typer + Rich)."""
