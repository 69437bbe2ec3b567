"""Connections to the engines other than the embedded DuckDB (DESIGN §11)."""
