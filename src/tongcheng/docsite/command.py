"""``tongcheng docs [--pack DIR] -o SITE``: write the pack's static site.

Only click is imported here; jinja2 and the site's modules load when the command runs. The
output folder must be new, empty, or a site this command wrote before (it is then replaced).
Exit 0 written; 2 a bad output folder; 3 the pack fails to load.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from tongcheng.cli_options import fail, overlay_option, pack_option, say


@click.command("docs")
@pack_option()
@overlay_option
@click.option("-o", "--output", "output", type=click.Path(file_okay=False), required=True,
              help="Folder to write the site to (new, empty, or an earlier site).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the command's own messages (the site is in both).")
def docs(pack_path: str | None, overlays: tuple[str, ...], output: str, lang: str) -> None:
    """Write a static site of the rule pack (zh and en) to OUTPUT; open OUTPUT/index.html."""
    try:
        import jinja2  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the installation
        fail(2, say(lang, "the site needs its extra: pip install 'tongcheng[docs]'",
                    "生成网站需要安装它的附加组件:pip install 'tongcheng[docs]'"), lang)
    from tongcheng.docsite.build import MARKER, build_site
    from tongcheng.docsite.writer import SiteError
    from tongcheng.errors import PackError
    from tongcheng.pack.loader import bundled_pack_path, load_pack

    out = Path(output)
    if out.exists() and any(out.iterdir()):
        if not (out / MARKER).is_file():
            fail(2, say(lang, f"{out} is not empty and holds no site written by tongcheng docs; "
                        "choose a new or empty folder",
                        f"{out} 不是空文件夹,里面也没有 tongcheng docs 写的网站;"
                        "请另选一个新的或空的文件夹"), lang)
        shutil.rmtree(out)
    try:
        pack = load_pack(Path(pack_path) if pack_path else bundled_pack_path(), overlays=overlays)
    except PackError as e:
        fail(3, e.describe(lang), lang)
    try:
        report = build_site(pack, out)
    except SiteError as e:
        fail(2, e.describe(lang), lang)
    click.echo(say(lang, f"{report.pages} pages ({report.files} files) written to {out}; open "
                   f"{out / 'index.html'}",
                   f"已写出 {report.pages} 个页面(共 {report.files} 个文件)到 {out};"
                   f"请打开 {out / 'index.html'}"))
