"""Alembic revisions of the gateway schema (a package so that installs ship them)."""
