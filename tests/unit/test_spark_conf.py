"""The ``spark`` target of profiles/profiles.yml and the session the raw mirror opens
(handoff.engines.spark.conf) must agree on the warehouse and the metastore, or dbt
would not see the raw tables ingest wrote through Spark."""

from __future__ import annotations

from pathlib import Path

import jinja2
import yaml

from handoff.engines.spark import conf

PROFILES = Path(__file__).resolve().parents[2] / "profiles" / "profiles.yml"


def spark_target(env: dict[str, str], dbt_vars: dict[str, str] | None = None) -> dict:
    """The profile's spark target as dbt renders it with ``env`` and the ``--vars``
    ``dbt_vars`` (handoff passes the run's home as var ``home``)."""
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    environment.filters["as_number"] = lambda value: value
    rendered = environment.from_string(PROFILES.read_text()).render(
        env_var=lambda name, default="": env.get(name, default),
        var=lambda name, default=None: (dbt_vars or {}).get(name, default),
    )
    return yaml.safe_load(rendered)["handoff"]["outputs"]["spark"]


def test_profile_target_and_ingest_session_share_their_configuration(tmp_path) -> None:
    home = str(tmp_path.resolve())
    target = spark_target({"HANDOFF_HOME": home})
    # the run's home as a dbt var says the same as HANDOFF_HOME, and wins over it
    assert spark_target({"HANDOFF_HOME": "/elsewhere"}, {"home": home}) == target
    assert (target["type"], target["method"], target["host"]) == ("spark", "session", "NA")
    parameters = {key: str(value) for key, value in target["server_side_parameters"].items()}
    assert parameters == conf(tmp_path, environ={})
    assert parameters["spark.sql.warehouse.dir"] == f"{home}/spark/warehouse"
    assert (
        f"databaseName={home}/spark/metastore_db"
        in parameters["spark.hadoop.javax.jdo.option.ConnectionURL"]
    )
    assert parameters["spark.sql.session.timeZone"] == "UTC"


def test_driver_memory_follows_the_environment_on_both_sides(tmp_path) -> None:
    env = {"HANDOFF_HOME": str(tmp_path), "HANDOFF_SPARK_DRIVER_MEMORY": "3g"}
    target = spark_target(env)
    assert target["server_side_parameters"]["spark.driver.memory"] == "3g"
    assert conf(tmp_path, environ=env)["spark.driver.memory"] == "3g"


def test_small_data_knobs_follow_the_environment_on_both_sides(tmp_path) -> None:
    defaults = conf(tmp_path, environ={})
    assert (
        defaults["spark.sql.shuffle.partitions"],
        defaults["spark.sql.adaptive.enabled"],
        defaults["spark.sql.codegen.wholeStage"],
    ) == ("4", "true", "true")
    env = {
        "HANDOFF_HOME": str(tmp_path),
        "HANDOFF_SPARK_SHUFFLE_PARTITIONS": "1",
        "HANDOFF_SPARK_ADAPTIVE": "false",
        "HANDOFF_SPARK_CODEGEN": "false",
    }
    parameters = {k: str(v) for k, v in spark_target(env)["server_side_parameters"].items()}
    assert parameters == conf(tmp_path, environ=env)
    assert parameters["spark.sql.shuffle.partitions"] == "1"
    assert parameters["spark.sql.adaptive.enabled"] == "false"
    assert parameters["spark.sql.codegen.wholeStage"] == "false"
