"""The bundled pack's site, built once per session, and one headless Chromium shared by the
site's browser tests (helpers in ../service/servicetools.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "service"))

from servicetools import browser_or_failure, quit_driver


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    import tongcheng
    from tongcheng.docsite.build import build_site

    out = tmp_path_factory.mktemp("site") / "site"
    build_site(tongcheng.bundled_pack(), out)
    return out


@pytest.fixture(scope="session")
def site_browser() -> Iterator:
    driver = browser_or_failure(1280, 900)
    try:
        yield driver
    finally:
        quit_driver(driver)
