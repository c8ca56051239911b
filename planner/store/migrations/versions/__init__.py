"""Migrations in order, each naming the one it follows (`down_revision`)."""
