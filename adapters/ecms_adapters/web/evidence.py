"""An operator's download of one letter's evidence from its page: the ZIP `ecms-gateway audit export ID
--zip` writes (the same parts, made by the same code), for an auditor or a partner in a dispute."""

from __future__ import annotations

import io

from starlette.responses import Response

from ecms_adapters.web.context import Page
from ecms_gateway.cli.evidence_cmds import export_parts, write_zip
from ecms_gateway.engine import Store
from ecms_gateway.errors import NotFound
from ecms_gateway.services.evidence import letter_evidence
from ecms_gateway.store.database import url_without_secrets


async def download(page: Page) -> Response:
    letter_id = int(page.request.path_params["letter_id"])
    try:
        content = await page.run(evidence_zip, page.services.store, letter_id)
    except NotFound:
        return page.render("error.html", status=404, message_key="error.notfound")
    return Response(
        content,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{_folder(letter_id)}.zip"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


def evidence_zip(store: Store, letter_id: int) -> bytes:
    """The export of ``letter_id`` as a zip, its parts under ``letter-ID-evidence/``."""
    evidence = letter_evidence(store, letter_id)
    parts = export_parts(evidence, database=url_without_secrets(store.db.engine.url))
    buffer = io.BytesIO()
    write_zip(buffer, parts, folder=_folder(letter_id))
    return buffer.getvalue()


def _folder(letter_id: int) -> str:
    return f"letter-{letter_id}-evidence"
