"""Where everything lives. One variable, ESM_HOME, decides; every path derives from it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "models"
CONFIG_DIR = PROJECT_ROOT / "config"


def config_dir() -> Path:
    """Calendars, SLA policies and the metrics catalog: $ESM_CONFIG_DIR, or the project's config/."""
    return Path(os.environ.get("ESM_CONFIG_DIR", CONFIG_DIR)).resolve()


@dataclass(frozen=True)
class Paths:
    home: Path

    @property
    def warehouse(self) -> Path:
        """The working warehouse that builds write."""
        return self.home / "warehouse.duckdb"

    @property
    def published(self) -> Path:
        """The read-only warehouse that dashboards read; replaced atomically by a good build."""
        return self.home / "published" / "warehouse.duckdb"

    @property
    def inbox(self) -> Path:
        return self.home / "landing" / "inbox"

    @property
    def archive(self) -> Path:
        return self.home / "landing" / "archive"


def paths() -> Paths:
    """Paths under $ESM_HOME (default ./.esm_data); also exports ESM_WAREHOUSE for the dbt profile."""
    home = Path(os.environ.get("ESM_HOME", Path.cwd() / ".esm_data")).resolve()
    p = Paths(home)
    os.environ["ESM_WAREHOUSE"] = str(p.warehouse)
    return p
