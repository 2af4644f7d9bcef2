"""Fixtures shared by the HQ-tier unit tests."""
from __future__ import annotations

import pytest

from tests.hq_support import make_pair


@pytest.fixture
def pair(tmp_path):
    """An HQ data folder and two stations' (中央・北), each with its own key, trusted both ways."""
    hq, stations = make_pair(tmp_path)
    yield hq, stations
    for u in (hq, *stations):
        u.close()
