"""Letter folders as a back-office system writes them, from the sample letters."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import SAMPLES

LETTERS = SAMPLES / "letters"


def drop_sample(
    outbox: Path, sample: str, name: str, *, ready: bool = True, book_no: str | None = None
) -> Path:
    """Write sample ``letter-<sample>.json`` and the files it names into ``<outbox>/<name>/``."""
    source = LETTERS / f"letter-{sample}.json"
    if not source.exists():
        source = LETTERS / f"letter-{sample}-invalid.json"
    data = json.loads(source.read_text(encoding="utf-8"))
    if book_no is not None:
        data["book_no"] = book_no
    folder = outbox / name
    folder.mkdir(parents=True)
    refs = [data.get("main_file"), *data.get("attachments", [])]
    for ref in refs:
        if isinstance(ref, dict) and (LETTERS / str(ref.get("path"))).is_file():
            shutil.copyfile(LETTERS / ref["path"], folder / ref["path"])
    (folder / "letter.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    if ready:
        (folder / ".ready").touch()
    return folder
