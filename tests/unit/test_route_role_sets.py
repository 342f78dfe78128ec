"""Routes say who may call them with their service's role set, never with roles of their own.

`@requires(*service.READERS)`: the set is defined once, beside the function the route calls,
with its reason (or article), and that function checks the same set. A role written in a route's
decorator (`@requires(Role.HR_ADMIN)`), a list of them, or a set the route module builds itself
would be a second home for the rule.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from backend.accounts.models import Role

ROOT = Path(__file__).resolve().parents[2]

# (file, handler): the routes that may keep roles of their own, each with why.
ALLOWED = {
    # backend/calendar.py sits below accounts in the package order and knows no roles; the
    # route itself makes the city-HR check (`require_city_hr`) its role opens onto.
    ("miniprogram_api/routes/calendar.py", "put_year"),
}


def _backend_names(tree: ast.Module) -> set[str]:
    """The names a module binds by importing from backend (modules and their members)."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "backend":
            names |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            names |= {
                alias.asname or alias.name.split(".")[0]
                for alias in node.names
                if alias.name.split(".")[0] == "backend"
            }
    return names


def _is_requires(decorator: ast.expr) -> bool:
    if not isinstance(decorator, ast.Call):
        return False
    func = decorator.func
    return (isinstance(func, ast.Name) and func.id == "requires") or (
        isinstance(func, ast.Attribute) and func.attr == "requires"
    )


def _service_set(module: object, expression: ast.expr) -> object:
    """What a decorator argument names, looked up in the route's module."""
    value = module
    for part in ast.unparse(expression).split("."):
        value = getattr(value, part)
    return value


def _problem(path: Path, node: ast.Call, backend: set[str]) -> str | None:
    """Why this `@requires(...)` is not one role set named by a backend module, or None."""
    if len(node.args) != 1 or node.keywords:
        return "one role set, not several roles or sets (name the union in the service)"
    arg = node.args[0]
    if not isinstance(arg, ast.Starred):
        return "a role literal (name the role set in the service)"
    root = arg.value
    while isinstance(root, ast.Attribute):
        root = root.value
    if not (isinstance(root, ast.Name) and root.id in backend):
        return "a set the route module makes itself (it belongs to the service)"
    dotted = path.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".")
    named = _service_set(importlib.import_module(dotted), arg.value)
    if named is Role or not isinstance(named, (frozenset, set, tuple)):
        return "not a role set (every role is a set the service names, e.g. frozenset(Role))"
    if not ast.unparse(arg.value).split(".")[-1].isupper():
        return "not a module constant of the service"
    return None


def _decorators() -> list[tuple[Path, str, ast.Call, set[str]]]:
    found = []
    for path in sorted((ROOT / "miniprogram_api").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        backend = _backend_names(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for decorator in node.decorator_list:
                    if _is_requires(decorator):
                        assert isinstance(decorator, ast.Call)
                        found.append((path, node.name, decorator, backend))
    return found


def test_every_route_names_its_services_role_set() -> None:
    decorators = _decorators()
    assert len(decorators) > 100  # the scan sees the routes (175 when this was written)
    offenders = [
        f"{path.relative_to(ROOT)}:{call.lineno} {handler}: @{ast.unparse(call)} is {why}"
        for path, handler, call, backend in decorators
        if (why := _problem(path, call, backend)) is not None
        and (path.relative_to(ROOT).as_posix(), handler) not in ALLOWED
    ]
    assert offenders == []


def test_each_allowed_route_still_needs_its_exception() -> None:
    literal = {
        (path.relative_to(ROOT).as_posix(), handler)
        for path, handler, call, backend in _decorators()
        if _problem(path, call, backend) is not None
    }
    assert ALLOWED - literal == set(), "a route on the allow-list now names its set: drop it"
