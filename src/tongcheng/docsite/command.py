"""``tongcheng docs [--pack DIR] -o SITE``: write the pack's static site.

Only click is imported here; jinja2 and the site's modules load when the command runs. The
output folder must be new, empty, or a site this command wrote before (it is then replaced).
Exit 0 written; 2 a bad output folder; 3 the pack fails to load.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from tongcheng.cli_options import overlay_option, pack_option


@click.command("docs")
@pack_option()
@overlay_option
@click.option("-o", "--output", "output", type=click.Path(file_okay=False), required=True,
              help="Folder to write the site to (new, empty, or an earlier site).")
def docs(pack_path: str | None, overlays: tuple[str, ...], output: str) -> None:
    """Write a static site of the rule pack (zh and en) to OUTPUT; open OUTPUT/index.html."""
    try:
        import jinja2  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the installation
        click.echo("error: the site needs its extra: pip install 'tongcheng[docs]'", err=True)
        sys.exit(2)
    from tongcheng.docsite.build import MARKER, build_site
    from tongcheng.docsite.writer import SiteError
    from tongcheng.errors import PackError
    from tongcheng.pack.loader import bundled_pack_path, load_pack

    out = Path(output)
    if out.exists() and any(out.iterdir()):
        if not (out / MARKER).is_file():
            click.echo(f"error: {out} is not empty and holds no site written by tongcheng "
                       "docs; choose a new or empty folder", err=True)
            sys.exit(2)
        shutil.rmtree(out)
    try:
        pack = load_pack(Path(pack_path) if pack_path else bundled_pack_path(), overlays=overlays)
    except PackError as e:
        click.echo(f"error: {e.describe()}", err=True)
        sys.exit(3)
    try:
        report = build_site(pack, out)
    except SiteError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(2)
    click.echo(f"{report.pages} pages ({report.files} files) written to {out}; open "
               f"{out / 'index.html'}")
