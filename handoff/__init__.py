"""handoff: the marketing–sales handoff warehouse (see README.md)."""

import warnings

# Great Expectations imports pyspark whenever it is installed, and pyspark warns on
# import that it does not fully support pandas 3 — noise on every DuckDB or
# PostgreSQL run, where Spark is not used (the Spark target's own runs use no pandas
# conversion that the warning is about).
warnings.filterwarnings(
    "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
)
