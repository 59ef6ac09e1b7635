"""Letter folders as a back-office system writes them, from the sample letters."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ecms_adapters.folders import Outbox

from ecms_gateway.engine import Store
from ecms_gateway.runtime.directory import table_from_file
from ecms_gateway.runtime.settings import RuntimeSettings, ServedOrg
from ecms_gateway.services.context import Services
from tests.conftest import SAMPLES

LETTERS = SAMPLES / "letters"
ROUTING = table_from_file(SAMPLES / "directory.json")


def outbox_in(tmp_path: Path, store: Store, *, ready_marker: bool = True) -> Outbox:
    """The outbox folder ``<tmp_path>/outbox`` of a gateway serving 2099000000 with the sample directory."""
    settings = RuntimeSettings(orgs=(ServedOrg(org_id="2099000000", node_url="http://127.0.0.1:1/x"),))
    services = Services(store=store, settings=settings, routing=lambda: ROUTING)
    outbox = Outbox(tmp_path / "outbox", services, ready_marker=ready_marker)
    outbox.prepare()
    return outbox


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
