"""The overview page served by `esm serve`, loaded in a real headless Chromium (Debian's)."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(demo):
    port = free_port()
    env = os.environ | {"ESM_HOME": str(demo.paths.home)}
    proc = subprocess.Popen([sys.executable, "-m", "esm.cli", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail(f"streamlit did not start: {proc.stderr.read().decode()[-2000:]}")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_overview_renders_kpis_in_chromium(server, demo, tmp_path):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian chromium is required (apt-get install chromium)"
    con = duckdb.connect(str(demo.paths.published), read_only=True)
    try:
        volumes = {f"{v:,.0f}" for (v,) in con.execute(
            "select value from marts.mart_kpi_monthly where metric_id = 'request_volume' and dimension = 'all'"
        ).fetchall()}
    finally:
        con.close()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1400, "height": 1600})
        page.goto(server)
        page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
        page.wait_for_selector('[data-testid="stPlotlyChart"]', timeout=60_000)
        page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
        metrics = page.locator('[data-testid="stMetric"]')
        assert metrics.count() == 8
        requests = metrics.filter(has_text="Requests opened")
        value = requests.locator('[data-testid="stMetricValue"]').inner_text().strip()
        assert value in volumes
        page.screenshot(path=str(tmp_path / "overview_en.png"), full_page=True)
        page.get_by_role("radio", name="中文").click(force=True)
        page.wait_for_selector("h1:has-text('服务运营总览')", timeout=30_000)
        page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
        assert page.locator('[data-testid="stMetric"]').first.inner_text().strip() != ""
        page.screenshot(path=str(tmp_path / "overview_zh.png"), full_page=True)
        browser.close()
    shots = os.environ.get("ESM_SCREENSHOT_DIR")
    if shots:
        for f in tmp_path.glob("*.png"):
            shutil.copy(f, Path(shots) / f.name)
