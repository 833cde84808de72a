"""Font discovery: every TTF/OTF in the package, the system font folders and user folders.

Faces are described once with fontTools (coverage, weight, pitch) and the description is cached
on disk, because opening a few hundred font files on every start costs seconds.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError
from PIL import ImageFont

from ocrnet.charset import DEFAULT_CHARSET, REQUIRED_GLYPHS

PACKAGE_FONT_DIR = Path(__file__).parent / "assets"
SYSTEM_FONT_DIRS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.fonts",
    "~/.local/share/fonts",
    "/Library/Fonts",
    "C:/Windows/Fonts",
)
#: Faces whose letters are pictures, not Latin letters, even where their cmap claims a-z.
EXCLUDED_NAME_PARTS = ("symbol", "dingbat", "d050000l", "emoji", "math", "music", "webdings", "wingding")
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
CACHE_FILE = Path(os.environ.get("OCRNET_CACHE", "~/.cache/ocrnet")).expanduser() / "fonts-v1.json"


@dataclass(frozen=True)
class FontFace:
    """One font file and what it looks like and covers, so styles can ask for a kind of face."""

    path: str
    name: str
    bold: bool
    italic: bool
    mono: bool
    serif: bool
    condensed: bool
    glyphs: str  # the characters of DEFAULT_CHARSET this face draws


def _describe(path: Path) -> FontFace | None:
    lowered = path.name.lower()
    if any(part in lowered for part in EXCLUDED_NAME_PARTS):
        return None
    try:
        font = TTFont(str(path), fontNumber=0, lazy=True)
        cmap = font.getBestCmap() or {}
        name_table = font["name"]
        full_name = str(name_table.getBestFullName() or path.stem)
        style = str(name_table.getBestSubFamilyName() or "")
        fixed_pitch = bool(font["post"].isFixedPitch) if "post" in font else False
        weight = font["OS/2"].usWeightClass if "OS/2" in font else 400
        font.close()
    except (TTLibError, OSError, KeyError, AttributeError, ValueError):
        return None
    glyphs = "".join(ch for ch in DEFAULT_CHARSET if ord(ch) in cmap)
    if not all(ch in glyphs for ch in REQUIRED_GLYPHS):
        return None
    if any(part in full_name.lower() for part in EXCLUDED_NAME_PARTS):
        return None
    text = f"{full_name} {style}".lower()
    sans = "sans" in text or "gothic" in text or "grotesk" in text
    serif_families = ("serif", "roman", "times", "c059", "p052", "schoolbook", "bookman", "palatino", "charter")
    return FontFace(
        path=str(path),
        name=full_name,
        bold=weight >= 600 or any(w in text for w in ("bold", "black", "heavy")),
        italic="italic" in text or "oblique" in text,
        mono=fixed_pitch or "mono" in text or "courier" in text,
        serif=(not sans) and any(f in text for f in serif_families),
        condensed=any(w in text for w in ("condensed", "narrow", "cond ")),
        glyphs=glyphs,
    )


def _font_files(dirs: tuple[str, ...]) -> list[Path]:
    files: set[Path] = set()
    for folder in dirs:
        root = Path(folder).expanduser()
        if root.is_dir():
            files.update(p.resolve() for p in root.rglob("*") if p.suffix.lower() in FONT_SUFFIXES)
    return sorted(files)


def _load_cache() -> dict[str, dict]:
    try:
        return json.loads(CACHE_FILE.read_text())
    except (OSError, ValueError):
        return {}


def _save_cache(cache: dict[str, dict]) -> None:
    try:
        CACHE_FILE.parent.mkdir(parents=True, exist_ok=True)
        tmp = CACHE_FILE.with_suffix(".tmp")
        tmp.write_text(json.dumps(cache))
        os.replace(tmp, CACHE_FILE)
    except OSError:
        pass  # a read-only home only costs the next start a rescan


@lru_cache(maxsize=8)
def discover_fonts(extra_dirs: tuple[str, ...] = ()) -> tuple[FontFace, ...]:
    """All usable faces, sorted by path so that a seed picks the same face on every run.

    ``OCRNET_FONT_DIRS`` (os.pathsep-separated) adds folders, as ``extra_dirs`` does.
    """
    env_dirs = tuple(d for d in os.environ.get("OCRNET_FONT_DIRS", "").split(os.pathsep) if d)
    dirs = (str(PACKAGE_FONT_DIR), *SYSTEM_FONT_DIRS, *env_dirs, *extra_dirs)
    cache = _load_cache()
    faces: list[FontFace] = []
    changed = False
    for path in _font_files(dirs):
        key = f"{path}:{path.stat().st_mtime_ns}"
        if key not in cache:
            face = _describe(path)
            cache[key] = asdict(face) if face else {}
            changed = True
        if cache[key]:
            faces.append(FontFace(**cache[key]))
    if changed:
        _save_cache(cache)
    if not faces:
        raise RuntimeError(
            "no usable TTF/OTF font found in " + ", ".join(dirs) + "; install fonts (make setup does) "
            "or set OCRNET_FONT_DIRS"
        )
    return tuple(faces)


@lru_cache(maxsize=512)
def load_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    """A face at a pixel size, cached: scenes ask for the same few sizes of a face over and over."""
    return ImageFont.truetype(path, size=max(4, int(size)))
