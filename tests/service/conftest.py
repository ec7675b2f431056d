"""Fixtures for the HTTP service: the app, a TestClient, a live uvicorn server, and a headless
Chromium (helpers in servicetools.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from servicetools import LiveServer, browser_or_failure, quit_driver, test_client


@pytest.fixture(scope="session")
def app():
    from tongcheng.service import create_app

    return create_app()


@pytest.fixture(scope="session")
def client(app):
    with test_client(app) as c:
        yield c


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[LiveServer]:
    with LiveServer(app) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator:
    driver = browser_or_failure()
    try:
        yield driver
    finally:
        quit_driver(driver)
