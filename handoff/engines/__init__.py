"""Connections to the engines other than the embedded DuckDB (README, "Running on PostgreSQL", "Running on Spark")."""
