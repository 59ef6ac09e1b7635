"""Copy the pinned web assets (the Sarabun font, Chart.js) from the npm registry into ``static/vendor``.

The gateway serves every script, style and font itself (offices may have no internet), so the files are
committed and shipped as package data; this script is how they got there and how to update them:

    python -m ecms_adapters.web.vendor

It runs ``npm pack`` for the exact versions below, copies the files the pages use with each package's
licence, writes ``VERSIONS.txt``, and converts the Sarabun WOFF files to one TrueType font with the
Thai and Latin glyphs for the PDF registry books (fpdf2 embeds TrueType, not WOFF).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Final

VENDOR: Final = Path(__file__).parent / "static" / "vendor"
PACKAGES: Final = {"@fontsource/sarabun": "5.3.0", "chart.js": "4.6.1"}
LICENCES: Final = {"@fontsource/sarabun": "OFL-1.1 (SIL Open Font License)", "chart.js": "MIT"}
FONT_FILES: Final = tuple(
    f"sarabun-{subset}-{weight}-normal.woff2" for subset in ("thai", "latin") for weight in (400, 700)
)
PDF_FONTS: Final = {400: "sarabun-400.ttf", 700: "sarabun-700.ttf"}


def _unpack(name: str, version: str, work: Path) -> Path:
    spec = f"{name}@{version}"
    out = subprocess.run(  # noqa: S603 - fixed arguments: npm and the pinned package names
        ["npm", "pack", spec, "--silent", "--pack-destination", str(work)],  # noqa: S607 - npm from PATH
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    target = work / name.replace("/", "_")
    with tarfile.open(work / out) as archive:
        archive.extractall(target, filter="data")
    return target / "package"


def _ttf(thai_woff: Path, latin_woff: Path, target: Path) -> None:
    """One TrueType font: the Thai subset with the Latin subset's glyphs merged in."""
    from fontTools.merge import Merger  # type: ignore[import-untyped]  # noqa: PLC0415 - update step only
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as tmp:
        parts = []
        for source in (thai_woff, latin_woff):
            font = TTFont(source)
            font.flavor = None
            part = Path(tmp) / (source.stem + ".ttf")
            font.save(part)
            parts.append(str(part))
        Merger().merge(parts).save(target)


def vendor() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sarabun = _unpack("@fontsource/sarabun", PACKAGES["@fontsource/sarabun"], work)
        chart = _unpack("chart.js", PACKAGES["chart.js"], work)
        fonts = VENDOR / "sarabun"
        fonts.mkdir(parents=True, exist_ok=True)
        for name in FONT_FILES:
            shutil.copy(sarabun / "files" / name, fonts / name)
        for weight, name in PDF_FONTS.items():
            files = sarabun / "files"
            _ttf(
                files / f"sarabun-thai-{weight}-normal.woff",
                files / f"sarabun-latin-{weight}-normal.woff",
                fonts / name,
            )
        shutil.copy(sarabun / "LICENSE", fonts / "LICENSE")
        (VENDOR / "chartjs").mkdir(parents=True, exist_ok=True)
        shutil.copy(chart / "dist" / "chart.umd.min.js", VENDOR / "chartjs" / "chart.umd.min.js")
        shutil.copy(chart / "LICENSE.md", VENDOR / "chartjs" / "LICENSE.md")
    lines = [f"{name} {version} (npm) licence {LICENCES[name]}" for name, version in PACKAGES.items()]
    (VENDOR / "VERSIONS.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    vendor()
    sys.stdout.write(f"vendored {', '.join(f'{n} {v}' for n, v in PACKAGES.items())} into {VENDOR}\n")
