"""Every table is registered: a models module missing from backend.db.MODEL_MODULES fails here.

Tortoise only creates, migrates and relates the models of the modules it is given; a table
defined in a module left out of MODEL_MODULES would silently have no migration.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from tortoise.models import Model

import backend
from backend.db import MODEL_MODULES


def _modules_defining_tables() -> set[str]:
    found = set()
    for info in pkgutil.walk_packages(backend.__path__, "backend."):
        if ".migrations" in info.name or info.name.startswith("backend.demo"):
            continue
        module = importlib.import_module(info.name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, Model) and obj.__module__ == info.name and not obj._meta.abstract:
                found.add(info.name)
    return found


def test_every_module_that_defines_a_table_is_in_model_modules() -> None:
    assert _modules_defining_tables() - set(MODEL_MODULES) == set()


def test_every_registered_module_defines_a_table() -> None:
    assert set(MODEL_MODULES) - _modules_defining_tables() == set()


def test_tables_live_in_their_package_models_py() -> None:
    elsewhere = {m for m in _modules_defining_tables() if not m.endswith(".models")}
    assert elsewhere == set()
