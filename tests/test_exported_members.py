"""Each public package lists exactly its public names in __all__."""

from __future__ import annotations

import importlib
import types

import pytest

PACKAGES = [
    "unwatched.scenario",
    "unwatched.world",
    "unwatched.arena",
    "unwatched.analysis",
    "unwatched.models",
    "unwatched.nla",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_matches_public_namespace(name):
    module = importlib.import_module(name)
    public = {
        n
        for n, v in vars(module).items()
        if not n.startswith("_") and not isinstance(v, types.ModuleType) and n != "annotations"
    }
    assert set(module.__all__) == public
    for exported in module.__all__:
        assert hasattr(module, exported)
