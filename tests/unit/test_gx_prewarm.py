"""The gate's Great Expectations import is started while ``dbt build`` runs
(``handoff.audit.prewarm_gx``, called by the dbt asset), so the audit step does not
spend seconds importing it (docs/benchmarks.md)."""

import subprocess
import sys
from pathlib import Path

# In a fresh interpreter: nothing imports GX until prewarm_gx starts the thread, and
# the thread, joined, leaves it imported; a second call starts no second thread.
PROBE = """
import sys
import handoff.audit as audit
assert "great_expectations" not in sys.modules, "imported before the prewarm"
audit.prewarm_gx()
thread = audit._GX_PREWARM
assert thread is not None and thread.daemon
thread.join()
assert "great_expectations" in sys.modules
audit.prewarm_gx()
assert audit._GX_PREWARM is thread
print("ok")
"""


def test_prewarm_imports_great_expectations_in_a_background_thread(tmp_path: Path) -> None:
    # a script file, not `python -c`: pyspark (which GX imports) exits a process whose
    # main module has no file, taking it for a doctest run
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE)
    proc = subprocess.run([sys.executable, str(probe)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_the_dbt_build_asset_prewarms_the_gate() -> None:
    import inspect

    from orchestration.defs.dbt import assets

    source = inspect.getsource(assets.dbt_models)
    assert source.index("prewarm_gx()") < source.index("dbt.cli(")
