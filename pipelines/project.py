"""The dbt project as Dagster sees it; the manifest is (re)built here when models changed."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from esm.settings import DBT_PROJECT_DIR, paths

log = logging.getLogger(__name__)


def dbt_executable() -> str:
    """The dbt that belongs to this Python environment."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def ensure_manifest(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    """Run `dbt parse` when target/manifest.json is missing or older than any model, macro or config."""
    paths()  # exports ESM_WAREHOUSE, which the profile needs even to parse
    manifest = project_dir / "target" / "manifest.json"
    sources = [p for d in ("models", "macros", "tests") for p in (project_dir / d).rglob("*") if p.is_file()]
    sources += [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    newest = max(p.stat().st_mtime for p in sources)
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        log.info("parsing the dbt project")
        subprocess.run([dbt_executable(), "parse", "--quiet", "--profiles-dir", str(project_dir)],
                       cwd=project_dir, check=True)
    return manifest


esm_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
ensure_manifest()
