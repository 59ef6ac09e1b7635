"""Logging out removes the files kept from the clerk's refused compose forms at once (not 8 hours
later), and only that session's."""

from __future__ import annotations

from tests.integration.web.live import ORG_B, LiveWeb, csrf_of, sample


def _refused_compose(client_form: str) -> dict[str, str]:
    return {
        "csrf": csrf_of(client_form),
        "kind": "external",
        "book_no": "ศธ 0990/89",
        "date": "",  # refused: the date is missing, so the files are kept
        "subject": "ขอเชิญประชุม",
        "speed": "normal",
        "secrecy": "normal",
        "receiver": ORG_B,
    }


def test_logging_out_removes_that_sessions_kept_files(live: LiveWeb) -> None:
    main = sample().main
    kept_root = live.root / "data" / "compose-kept"
    clerk, admin = live.logged_in("clerk"), live.logged_in("admin")
    for who in (clerk, admin):
        refused = who.post(
            "/compose",
            data=_refused_compose(who.get("/compose").text),
            files=[("main_file", (main.name, main.content, "application/pdf"))],
        )
        assert 'name="kept"' in refused.text
    assert len(list(kept_root.rglob("*.bin"))) == 2

    page = clerk.get("/sent").text
    out = clerk.post("/logout", data={"csrf": csrf_of(page)})
    assert out.status_code == 303
    assert out.headers["location"] == "/login"
    assert len(list(kept_root.rglob("*.bin"))) == 1  # the admin's, still logged in
    assert len([p for p in kept_root.iterdir() if p.is_dir()]) == 1
