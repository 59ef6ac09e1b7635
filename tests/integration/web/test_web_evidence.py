"""An operator downloads a letter's evidence from its page: the ZIP `ecms-gateway audit export ID --zip`
writes, with a Thai label; a clerk sees no link, and the address answers 403."""

from __future__ import annotations

import html
import io
import json
import zipfile
from pathlib import Path

import pytest
from ecms_adapters.web.i18n import translate

from tests.integration.web.live import LiveWeb, sample
from tests.unit.cli.support import run


def _letter(live: LiveWeb) -> int:
    return live.store.accept_outbound(sample(), actor="clerk:a", channel="ecms")


def test_an_operator_downloads_the_zip_audit_export_writes(
    live: LiveWeb, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    letter_id = _letter(live)
    operator = live.logged_in("operator")
    page = html.unescape(operator.get(f"/letters/{letter_id}").text)
    link = page.split('id="evidence"', 1)[1].split("</p>", 1)[0]
    assert f'href="/letters/{letter_id}/evidence.zip"' in link
    assert translate("th", "letter.evidence_zip") in link
    answer = operator.get(f"/letters/{letter_id}/evidence.zip")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    assert "attachment" in answer.headers["content-disposition"]
    web = zipfile.ZipFile(io.BytesIO(answer.content))
    out = tmp_path / "cli.zip"
    code, _, stderr = run(
        capsys, "audit", "export", str(letter_id), "--out", str(out), "--data-dir", str(live.root / "data")
    )
    assert (code, stderr) == (0, "")
    cli = zipfile.ZipFile(out)
    names = sorted(n.split("/", 1)[1] for n in web.namelist())
    assert names == sorted(n.split("/", 1)[1] for n in cli.namelist())
    assert {"letter.json", "audit.jsonl", "manifest.json", "README.txt", "SHA256SUMS"} <= set(names)
    for name in ("letter.json", *(n for n in names if n.startswith("files/"))):
        [ours] = [n for n in web.namelist() if n.endswith("/" + name)]
        [theirs] = [n for n in cli.namelist() if n.endswith("/" + name)]
        assert web.read(ours) == cli.read(theirs), name
    manifest = json.loads(next(web.read(n) for n in web.namelist() if n.endswith("/manifest.json")))
    assert manifest["letter_id"] == letter_id


def test_a_clerk_sees_no_link_and_is_refused_the_download(live: LiveWeb) -> None:
    letter_id = _letter(live)
    clerk = live.logged_in("clerk")
    page = clerk.get(f"/letters/{letter_id}")
    assert page.status_code == 200
    assert 'id="evidence"' not in page.text
    assert "evidence.zip" not in page.text
    assert clerk.get(f"/letters/{letter_id}/evidence.zip").status_code == 403


def test_an_unknown_letters_evidence_is_no_page(live: LiveWeb) -> None:
    answer = live.logged_in("operator").get("/letters/999/evidence.zip")
    assert answer.status_code == 404
    assert translate("th", "error.notfound") in html.unescape(answer.text)
