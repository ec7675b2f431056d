"""Helpers of the HTTP service tests (and of scripts/page_screenshots.py): a TestClient, a live
uvicorn server on a free loopback port, and a headless Chromium driven by Selenium. The
fixtures that use them are in conftest.py; tests import helpers from here, never from conftest
(each test folder has a conftest, so ``import conftest`` would depend on collection order).

The browser tests need Debian's ``chromium`` and ``chromium-driver``. When they are missing the
tests fail (never skip) and say how to install them.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
INSTALL_HINT = (
    "the browser tests need Chromium and its driver: "
    "apt-get update && apt-get install -y chromium chromium-driver "
    "(.ci/run installs them in CI)"
)

# The contract's cross-city case: paid in 烟台 2000-2015 and in 青岛 since 2016, asking in 青岛.
RECOGNITION_CASE = {
    "as_of": "2025-06-01",
    "target": "370200",
    "person": {
        "birth_date": "1975-05-10",
        "sex": "male",
        "hukou": "370600",
        "lives_in": "370200",
        "employment": "employed",
        "work_place": "370200",
    },
    "insurance": [
        {"scheme": "employee_medical", "place": "370600", "from": "2000-01", "to": "2015-12"},
        {"scheme": "employee_medical", "place": "370200", "from": "2016-01", "to": "2025-05"},
    ],
}
RECOGNITION_RULE = "medical_insurance.contribution_years_recognition"


def test_client(app):
    """FastAPI's TestClient (quiet about Starlette's advice to move to httpx2)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    return TestClient(app)


test_client.__test__ = False  # a helper, not a test


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn serving the app in a thread on a free loopback port, with the protocol
    ``tongcheng serve`` uses (head timeout and size limit)."""

    def __init__(self, app, **options) -> None:
        import uvicorn

        from tongcheng.service.protocol import PROTOCOL

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="off", http=PROTOCOL, **options)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


class ChromiumMissing:
    """Stands in for a driver when Chromium cannot start: the first thing a test asks of it
    fails that test (a failure, never a skip) with the message saying what to install."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __getattr__(self, name: str):
        pytest.fail(self.message, pytrace=False)


def browser_or_failure(width: int = 1280, height: int = 900):
    try:
        return make_driver(width, height)
    except pytest.fail.Exception as exc:
        return ChromiumMissing(str(exc.msg))


def make_driver(width: int = 1280, height: int = 900):
    """A fresh headless Chromium (its own profile directory), or a failure saying what to
    install."""
    missing = [p for p in (CHROMEDRIVER,) if not Path(p).exists()]
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        missing.append("chromium")
    if missing:
        pytest.fail(f"Chromium not found ({', '.join(missing)}): {INSTALL_HINT}", pytrace=False)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="tongcheng-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    options.add_argument("--lang=en-US")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # console messages
    try:
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    except Exception as exc:  # the driver's own message says what went wrong
        shutil.rmtree(profile, ignore_errors=True)
        pytest.fail(f"could not start headless Chromium: {exc}\n{INSTALL_HINT}", pytrace=False)
    driver.set_page_load_timeout(30)
    driver.profile_dir = profile  # type: ignore[attr-defined]
    return driver


def quit_driver(driver) -> None:
    if isinstance(driver, ChromiumMissing):
        return
    try:
        driver.quit()
    finally:
        shutil.rmtree(driver.profile_dir, ignore_errors=True)
