"""A small HTTP client for paged SaaS APIs: retries 429 (honouring Retry-After) and 5xx, refuses 401 clearly."""

from __future__ import annotations

import email.utils
import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from connectors.framework import Connector, ConnectorError

log = logging.getLogger(__name__)


def retry_after_seconds(value: str | None, default: float) -> float:
    """Retry-After as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, (parsed - datetime.now(UTC)).total_seconds()) if parsed else default


def page_payload(object_type: str, response: httpx.Response) -> tuple[str, str, str]:
    """A page as received (its JSON text), named by the request that fetched it: one payload row per page,
    from which every record can be rebuilt (e.g. `unnest(payload->'tickets')`)."""
    return object_type, response.request.url.raw_path.decode(), response.text


class ApiClient:
    """GET JSON pages with retries. Credentials go in `auth`/`headers` and are never logged."""

    def __init__(self, name: str, base_url: str, auth: httpx.Auth | tuple[str, str] | None = None,
                 headers: dict[str, str] | None = None, max_retries: int = 5, backoff: float = 0.5,
                 max_wait: float = 60.0, timeout: float = 30.0):
        self.name = name
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.retries = 0  # how many retries this client made (reported per run)
        self.client = httpx.Client(base_url=base_url.rstrip("/"), auth=auth, headers=headers or {},
                                   timeout=timeout, follow_redirects=True)

    @classmethod
    def for_connector(cls, connector: Connector, auth: httpx.Auth | tuple[str, str] | None = None,
                      headers: dict[str, str] | None = None) -> ApiClient:
        """The client of an API connector: its `url` option, and its retry options (max_retries, backoff,
        max_wait) where the source sets them."""
        return cls(connector.name, connector.option("url", required=True), auth=auth, headers=headers,
                   max_retries=int(connector.option("max_retries", 5)),
                   backoff=float(connector.option("backoff", 0.5)), max_wait=float(connector.option("max_wait", 60)))

    def close(self) -> None:
        self.client.close()

    def get(self, url: str, params: dict[str, Any] | None = None, parse: bool = True) -> tuple[Any, httpx.Response]:
        """The JSON body of one page, and the response (for paging headers). With parse=False the body is left
        to the caller (which reads it in bulk, e.g. with polars) and comes back as None."""
        for attempt in range(self.max_retries + 1):
            try:
                response = self.client.get(url, params=params)
            except httpx.TransportError as exc:
                if attempt == self.max_retries:
                    raise ConnectorError(f"{self.name}: cannot reach {url}: {exc}") from None
                self._wait(self.backoff * 2 ** attempt, f"transport error {type(exc).__name__}")
                continue
            status = response.status_code
            if status in (401, 403):
                raise ConnectorError(f"{self.name}: the server refused the credentials ({status} on {url}); "
                                     "check the environment variables named in the source's options")
            if status == 429 or status >= 500:
                if attempt == self.max_retries:
                    raise ConnectorError(f"{self.name}: {url} still answers {status} after "
                                         f"{self.max_retries} retries")
                wait = retry_after_seconds(response.headers.get("Retry-After"), self.backoff * 2 ** attempt) \
                    if status == 429 else self.backoff * 2 ** attempt
                self._wait(wait, f"HTTP {status}")
                continue
            if status >= 400:
                raise ConnectorError(f"{self.name}: {url} answered {status}: {response.text[:200]}")
            if not parse:
                return None, response
            try:
                return response.json(), response
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise self.malformed(response) from None
        raise AssertionError("unreachable")

    def malformed(self, response: httpx.Response) -> ConnectorError:
        return ConnectorError(f"{self.name}: malformed page from {response.url} (not JSON: {response.text[:80]!r}); "
                              "what came before it is landed, the next run resumes from there")

    def _wait(self, seconds: float, why: str) -> None:
        if seconds > self.max_wait:
            raise ConnectorError(f"{self.name}: the server asks to wait {seconds:.0f} s ({why}), more than "
                                 f"max_wait {self.max_wait:.0f} s; run again later")
        self.retries += 1
        log.info("%s: %s, retrying in %.1f s", self.name, why, seconds)
        time.sleep(seconds)
