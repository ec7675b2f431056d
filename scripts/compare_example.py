"""The README's policy-change example, end to end: a synthetic Qingdao-metro population
retiring in 2026, compared under Qingdao's old retiree minimum (the bundled pack with the
overlay examples/overlays/qingdao-keep-25-20) and its 2026 minimum (the bundled pack), and a
screenshot of the HTML report for the README.

Needs Debian's chromium and chromium-driver (as the browser tests do); Chinese text needs a CJK
font (`apt-get install fonts-noto-cjk`). Writes the report to OUT_DIR (default build/qingdao-2026/,
not kept in the repository) and the screenshot to docs/screenshots/compare-qingdao-2026.png:

    .venv/bin/python scripts/compare_example.py [--persons 100000] [--lang en] [OUT_DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "service"))

from servicetools import make_driver, quit_driver  # noqa: E402

KEEP = ROOT / "examples" / "overlays" / "qingdao-keep-25-20"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path,
                        default=ROOT / "build" / "qingdao-2026")
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lang", choices=("zh", "en"), default="en")
    parser.add_argument("--shot", type=Path,
                        default=ROOT / "docs" / "screenshots" / "compare-qingdao-2026.png")
    args = parser.parse_args()
    tongcheng = [sys.executable, "-m", "tongcheng.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        people = Path(tmp) / "retirees-2026.parquet"
        subprocess.run([*tongcheng, "synth", str(args.persons), "--retiring", "2026",
                        "--seed", str(args.seed), "-o", str(people), "--no-progress"],
                       check=True)
        done = subprocess.run([*tongcheng, "compare", str(people), "-o", str(args.out),
                               "--base-overlay", str(KEEP.relative_to(ROOT)), "--lang",
                               args.lang, "--no-progress"], cwd=ROOT, capture_output=True,
                              text=True)
        sys.stdout.write(done.stdout)
        sys.stderr.write(done.stderr)
        if done.returncode not in (0, 1):
            raise SystemExit(done.returncode)
    shoot(args.out / "report.html", args.shot)


def shoot(report: Path, shot: Path) -> None:
    """The report's header and first rule, as a desk screen shows them."""
    shot.parent.mkdir(parents=True, exist_ok=True)
    driver = make_driver(1280, 1000)
    try:
        driver.set_script_timeout(60)
        driver.get(report.resolve().as_uri())
        driver.execute_async_script("const done = arguments[0];"
                                    "window.tongchengReady.then(() => done(true));")
        height = driver.execute_script(
            "const s = document.querySelector('section.rule .charts');"
            "return s ? s.getBoundingClientRect().bottom + window.scrollY + 20 : 1400;")
        driver.set_window_size(1280, int(min(height, 3200)))
        driver.save_screenshot(str(shot))
    finally:
        quit_driver(driver)
    print(f"screenshot: {shot}", file=sys.stderr)


if __name__ == "__main__":
    main()
