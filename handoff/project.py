"""``handoff init DIR``: an editable project beside an installed handoff (README,
"Installing").

The folder gets copies of the seeds and profiles — the files a user changes — and a
``dbt_project.yml`` whose model, macro, test and snapshot paths point at the ones
handoff ships, so the models stay the installed version's while the mappings are the
user's. Runs use it when started in that folder (or with ``HANDOFF_PROJECT_DIR``)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from handoff.settings import packaged_dir

# dbt_project.yml keys whose folders stay the packaged ones
_SHIPPED = {
    "model-paths": "models",
    "macro-paths": "macros",
    "test-paths": "tests/dbt",
    "snapshot-paths": "snapshots",
}


def init_project(directory: Path) -> list[Path]:
    """Write the project into ``directory`` and return the files written."""
    source = packaged_dir()
    directory.mkdir(parents=True, exist_ok=True)
    text = (source / "dbt_project.yml").read_text()
    for key, folder in _SHIPPED.items():
        shipped = (source / folder).resolve().as_posix()
        text, count = re.subn(rf"^{key}: .*$", f'{key}: ["{shipped}"]', text, flags=re.M)
        assert count == 1, key
    text = re.sub(r"^analysis-paths: .*\n", "", text, flags=re.M)
    header = (
        "# Written by `handoff init`: seeds/ and profiles/ here are yours to edit; the\n"
        f"# models, macros and tests are those of the installed handoff ({source}).\n"
        "# Run `handoff init` again into a new folder after upgrading handoff.\n"
    )
    written = [directory / "dbt_project.yml"]
    written[0].write_text(header + text)
    for folder in ("seeds", "profiles"):
        shutil.copytree(source / folder, directory / folder, dirs_exist_ok=True)
        written += sorted(p for p in (directory / folder).rglob("*") if p.is_file())
    return written
