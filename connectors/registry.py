"""The connectors, and the sources a user configured in sources.yml (credentials by env var name only)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from connectors.framework import Connector, ConnectorError

CONNECTORS: dict[str, str] = {
    "files": "connectors.files:FilesConnector",
    "servicenow": "connectors.servicenow:ServiceNowConnector",
    "jira": "connectors.jira:JiraServiceManagementConnector",
    "zendesk": "connectors.zendesk:ZendeskConnector",
    "zendesk_fivetran": "connectors.zendesk_fivetran:ZendeskFivetranConnector",
    "sdp": "connectors.sdp:ServiceDeskPlusConnector",
    "email": "connectors.mail:EmailConnector",
    "chat": "connectors.chat:ChatConnector",
    "process_log": "connectors.process_log:ProcessLogConnector",
}


def connector_class(name: str) -> type[Connector]:
    if name not in CONNECTORS:
        raise ConnectorError(f"unknown connector {name!r} (known: {', '.join(CONNECTORS)})")
    module, _, cls = CONNECTORS[name].partition(":")
    return getattr(importlib.import_module(module), cls)


@dataclass(frozen=True)
class SourceConfig:
    """One configured source: its name is the source_system its records carry."""

    name: str
    connector: str
    options: dict[str, Any] = field(default_factory=dict)


def load_sources(config_dir: Path) -> list[SourceConfig]:
    """sources.yml: `sources: [{name, connector, options}]`; secrets appear only as `*_env` variable names."""
    path = config_dir / "sources.yml"
    if not path.exists():
        return []
    raw = yaml.safe_load(path.read_text()) or {}
    out = []
    for entry in raw.get("sources") or []:
        name, connector = entry.get("name"), entry.get("connector")
        if not name or not connector:
            raise ConnectorError(f"{path}: every source needs a name and a connector")
        if connector not in CONNECTORS:
            raise ConnectorError(f"{path}: source {name}: unknown connector {connector!r}")
        options = entry.get("options") or {}
        secrets = [k for k in options if k in ("password", "token", "api_key", "secret")]
        if secrets:
            raise ConnectorError(f"{path}: source {name}: put credentials in environment variables and name "
                                 f"them with {', '.join(s + '_env' for s in secrets)}, not in the file")
        out.append(SourceConfig(name, connector, options))
    names = [s.name for s in out]
    if len(set(names)) != len(names):
        raise ConnectorError(f"{path}: source names must be unique")
    return out
