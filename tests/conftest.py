"""Shared fixtures: where the sample letters and the sample directory live."""

from __future__ import annotations

from pathlib import Path

import pytest

import ecms_gateway

SAMPLES = Path(ecms_gateway.__file__).parent / "samples"


@pytest.fixture
def samples() -> Path:
    """The folder of sample letters shipped with the package (copies of shared/samples/letters)."""
    return SAMPLES / "letters"
