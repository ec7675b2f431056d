"""Rule packs archived whole, by digest, so a record can be decided again under its own pack
years later, after the bundled pack has moved on.

The archive is a zip of exactly the files the pack's digest covers (``pack.loader.pack_digest``),
written deterministically (sorted names, fixed times); a pack with overlays (``--overlay``) is
archived as its stack, one folder per layer, and restored with the same overlays. Restoring
unpacks it into a cache folder named by the digest and loads it; the loaded pack's digest must
equal the archived one, or the archive is refused as corrupt.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
import threading
import zipfile
from pathlib import Path

from tongcheng.pack.loader import load_pack, pack_digest
from tongcheng.pack.model import RulePack

__all__ = ["ArchiveError", "pack_files", "restore", "zip_pack"]

_FIXED_TIME = (2020, 1, 1, 0, 0, 0)
_loaded: dict[str, RulePack] = {}
_lock = threading.Lock()


class ArchiveError(Exception):
    """An archived pack that cannot be restored as it was."""


def pack_files(root: str | Path) -> list[Path]:
    """The files a pack's digest covers, in the digest's order."""
    root = Path(root)
    out = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if any(part.startswith(".") or part == "__pycache__" for part in rel.split("/")):
            continue
        out.append(path)
    return out


def zip_pack(pack: RulePack) -> bytes:
    """The pack's files; a stack (a pack with overlays) as one folder per layer, ``0/`` the
    base, in order, named in ``layers.json``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        layers = getattr(pack, "layers", ())
        if len(layers) > 1:
            names = [f"{k}/" for k in range(len(layers))]
            _put(z, "layers.json", json.dumps([lay.info.digest for lay in layers]).encode())
            for name, lay in zip(names, layers, strict=True):
                _add(z, Path(lay.root), name)
        else:
            _add(z, Path(pack.root), "")
    return buf.getvalue()


def _put(z: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, _FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, data)


def _add(z: zipfile.ZipFile, root: Path, prefix: str) -> None:
    for path in pack_files(root):
        _put(z, prefix + path.relative_to(root).as_posix(), path.read_bytes())


def _cache_root() -> Path:
    base = os.environ.get("TONGCHENG_CACHE") or os.environ.get("XDG_CACHE_HOME")
    return Path(base) / "tongcheng" if base else Path.home() / ".cache" / "tongcheng"


def restore(digest: str, archive: bytes) -> RulePack:
    """The pack archived under ``digest``, loaded (once per process)."""
    with _lock:
        if digest in _loaded:
            return _loaded[digest]
    folder = _cache_root() / "packs" / digest.removeprefix("sha256:")
    if not (folder.is_dir() and _unpacked_digest(folder) == digest):
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=folder.parent))
        try:
            with zipfile.ZipFile(io.BytesIO(archive)) as z:
                for name in z.namelist():
                    target = (staging / name).resolve()
                    if not target.is_relative_to(staging.resolve()):
                        raise ArchiveError(f"archived pack {digest}: unsafe name {name!r}")
                z.extractall(staging)
            found = _unpacked_digest(staging)
            if found != digest:
                raise ArchiveError(f"archived pack {digest}: its files give another digest "
                                   f"({found}): the archive was altered")
            if folder.exists():
                shutil.rmtree(folder, ignore_errors=True)
            try:
                staging.rename(folder)
            except OSError:  # another process restored it first
                shutil.rmtree(staging, ignore_errors=True)
        except zipfile.BadZipFile as e:
            shutil.rmtree(staging, ignore_errors=True)
            raise ArchiveError(f"archived pack {digest}: not a zip archive ({e})") from None
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    stack = _layers(folder)
    pack = load_pack(stack[0], overlays=stack[1:]) if stack else load_pack(folder)
    if pack.info.digest != digest:
        raise ArchiveError(f"archived pack {digest} loads with digest {pack.info.digest}")
    with _lock:
        _loaded[digest] = pack
    return pack


def _layers(folder: Path) -> list[Path]:
    """The layer folders of an unpacked stack, base first (none: a single pack)."""
    manifest = folder / "layers.json"
    if not manifest.is_file():
        return []
    count = len(json.loads(manifest.read_text(encoding="utf-8")))
    return [folder / str(k) for k in range(count)]


def _unpacked_digest(folder: Path) -> str:
    """The digest of an unpacked archive: the pack's, or the stack's (from its layers')."""
    stack = _layers(folder)
    if not stack:
        return pack_digest(folder)
    from tongcheng.pack.model import Layer, PackInfo
    from tongcheng.pack.overlay import stack_info

    return stack_info([Layer(PackInfo("", "", pack_digest(p)), str(p)) for p in stack]).digest
