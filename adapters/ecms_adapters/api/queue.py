"""Routes of /api/v1 (filled in by the next commits)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["queue"])
