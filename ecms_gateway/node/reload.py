"""What changed between two directories of a running node, in words for its log (``SIGHUP`` makes the
node read its directory file again; see ``NodeService.use_directory``)."""

from __future__ import annotations

from ecms_gateway.node.directory import Directory


def directory_changes(old: Directory, new: Directory) -> list[str]:
    """One phrase per change: organisations added or removed, an ECMS-URL or name changed, and the
    code tables or ministries that differ; empty when the two are the same."""
    before = {o.organization_id: o for o in old.organizations}
    after = {o.organization_id: o for o in new.organizations}
    changes = [f"added {org}" for org in after if org not in before]
    changes += [f"removed {org}" for org in before if org not in after]
    for org, entry in after.items():
        was = before.get(org)
        if was is None:
            continue
        if was.ecms_url != entry.ecms_url:
            changes.append(f"{org} ECMS-URL {was.ecms_url or 'none'} -> {entry.ecms_url or 'none'}")
        if (was.th_name, was.en_name) != (entry.th_name, entry.en_name):
            changes.append(f"{org} renamed")
    for name in ("ministries", "secret_codes", "speed_codes", "mime_codes"):
        if getattr(old, name) != getattr(new, name):
            changes.append(f"{name} changed")
    return changes
