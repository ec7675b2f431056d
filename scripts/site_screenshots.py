"""Screenshots of the pack's static site for the README: a source document with its quoted
sentences highlighted, and a rule in plain language, in Chinese and English.

Needs Debian's chromium and chromium-driver (as the browser tests do) and a CJK font
(`apt-get install fonts-noto-cjk`: without it Chinese shows as boxes). Builds the bundled
pack's site in a temporary folder and writes PNG files to docs/screenshots/ (or the folder
given):

    .venv/bin/python scripts/site_screenshots.py [OUT_DIR]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "service"))

from servicetools import make_driver, quit_driver  # noqa: E402

from tongcheng.api import bundled_pack  # noqa: E402
from tongcheng.docsite.build import build_site  # noqa: E402

SHOTS = [
    # name, page, element to scroll to (or None), css width, css height
    ("site-zh-document", "zh/documents/qingdao_metro_plan_2023.html", "q2", 1280, 900),
    ("site-en-rule", "en/rules/medical_insurance.contribution_years_recognition.html", None,
     1280, 1400),
    ("site-zh-parameter", "zh/parameters/provident_fund.loan_cap.html", None, 1280, 1200),
]


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        build_site(bundled_pack(), site)
        for name, page, anchor, width, height in SHOTS:
            driver = make_driver(width, height)
            try:
                driver.get((site / page).as_uri() + (f"#{anchor}" if anchor else ""))
                if anchor:
                    driver.execute_script(
                        "document.getElementById(arguments[0]).scrollIntoView({block: 'center'})",
                        anchor)
                time.sleep(0.3)
                path = out / f"{name}.png"
                driver.save_screenshot(str(path))
                print(path)
            finally:
                quit_driver(driver)


if __name__ == "__main__":
    main()
