"""Which error codes exist, and which a route can give: read from the code itself (no I/O).

Every `DomainError` the code constructs — `NotFound("…", code="CLASS_NOT_FOUND")` — is found by
reading the source (AST) of `backend/` and `miniprogram_api/`. `codes_reached(handler)` follows the
calls a route handler makes (functions it can resolve through module globals, and methods whose
name is unique in the code base) and collects the errors constructed on the way: the OpenAPI
document lists them per response, `docs/errors.md` is the catalogue of all of them.
The result is "where known": a call the reader cannot resolve is not followed.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from backend.errors import DomainError

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("backend", "miniprogram_api")


@dataclass(frozen=True)
class ErrorUse:
    """One place the code constructs a domain error."""

    code: str
    kind: str
    message: str
    module: str
    function: str


@dataclass(frozen=True)
class _ErrorClass:
    kind: str
    default_code: str
    default_message: str


@functools.cache
def _error_classes() -> dict[str, _ErrorClass]:
    """Error classes by name, read from the source (imported or not): kind and defaults."""
    roots: list[type[DomainError]] = [DomainError, *DomainError.__subclasses__()]
    found = {c.__name__: _ErrorClass(c.kind, c.default_code, c.default_message) for c in roots}
    classes = [
        node
        for _, path in _sources()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
    ]
    grew = True
    while grew:
        grew = False
        for node in classes:
            bases = [
                b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
            ]
            base = next((found[b] for b in bases if b in found), None)
            if base is None or node.name in found:
                continue
            values = {
                t.id: stmt.value.value
                for stmt in node.body
                if isinstance(stmt, ast.Assign | ast.AnnAssign)
                and isinstance(stmt.value, ast.Constant)
                for t in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])
                if isinstance(t, ast.Name)
            }
            found[node.name] = _ErrorClass(
                str(values.get("kind", base.kind)),
                str(values.get("default_code", base.default_code)),
                str(values.get("default_message", base.default_message)),
            )
            grew = True
    return found


def _message(node: ast.expr | None) -> str:
    if node is None:
        return ""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            else:
                parts.append("{…}")
        return "".join(parts)
    return ""


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _error_in_call(node: ast.Call, classes: dict[str, _ErrorClass]) -> tuple[str, str, str]:
    """(code, kind, message) if the call constructs a domain error with a literal code."""
    cls = classes.get(_call_name(node))
    if cls is None:
        return "", "", ""
    code = cls.default_code
    message = cls.default_message
    for kw in node.keywords:
        if kw.arg == "code":
            if isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                code = kw.value.value
            else:
                return "", "", ""  # a computed code (documented where it is computed)
        elif kw.arg == "message":
            message = _message(kw.value) or message
    if node.args:
        message = _message(node.args[0]) or message
    return code, cls.kind, message


def _sources() -> Iterator[tuple[str, Path]]:
    """Every module of the packages as (dotted name, file): read, never imported here."""
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), path


@dataclass
class _Index:
    uses_by_function: dict[tuple[str, str], list[ErrorUse]]
    calls_by_function: dict[tuple[str, str], list[ast.Call]]
    methods: dict[str, list[tuple[str, str]]]
    computed: list[ErrorUse]


@functools.cache
def _index() -> _Index:
    classes = _error_classes()
    index = _Index({}, {}, {}, [])
    for module, path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for owner, func in _functions(tree):
            qual = f"{owner}.{func.name}" if owner else func.name
            key = (module, qual)
            calls = [n for n in ast.walk(func) if isinstance(n, ast.Call)]
            index.calls_by_function[key] = calls
            if owner:
                index.methods.setdefault(func.name, []).append(key)
            for call in calls:
                code, kind, message = _error_in_call(call, classes)
                if code:
                    use = ErrorUse(code, kind, message, module, qual)
                    index.uses_by_function.setdefault(key, []).append(use)
        index.computed.extend(_computed_codes(tree, module))
    return index


def _functions(tree: ast.Module) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield "", node
            for inner in ast.walk(node):
                if inner is not node and isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield f"{node.name}.<locals>", inner
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield node.name, item


def _computed_codes(tree: ast.Module, module: str) -> list[ErrorUse]:
    """Codes chosen by an expression (`code = "A" if … else "B"`): each literal given `code`."""
    classes = _error_classes()
    uses: list[ErrorUse] = []
    for owner, func in _functions(tree):
        literal_codes: list[str] = []
        for node in ast.walk(func):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "code" for t in node.targets
            ):
                literal_codes += [
                    c.value
                    for c in ast.walk(node.value)
                    if isinstance(c, ast.Constant)
                    and isinstance(c.value, str)
                    and c.value.isupper()
                ]
        if not literal_codes:
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.Call) and _call_name(node) in classes:
                cls = classes[_call_name(node)]
                message = _message(node.args[0]) if node.args else cls.default_message
                qual = f"{owner}.{func.name}" if owner else func.name
                uses += [ErrorUse(c, cls.kind, message, module, qual) for c in literal_codes]
                break
    return uses


def all_error_uses() -> list[ErrorUse]:
    """Every place a domain error with a literal code is constructed, plus computed codes and
    the HTTP mapping's own answers (`error_body("CODE", "…", status=N)`, kind `status:N`)."""
    index = _index()
    uses = [u for group in index.uses_by_function.values() for u in group]
    return uses + index.computed + _mapping_answers()


@functools.cache
def _mapping_answers() -> list[ErrorUse]:
    uses: list[ErrorUse] = []
    for module, path in _sources():
        if not module.startswith("miniprogram_api"):
            continue
        for owner, func in _functions(ast.parse(path.read_text(encoding="utf-8"))):
            for node in ast.walk(func):
                if not (isinstance(node, ast.Call) and _call_name(node) == "error_body"):
                    continue
                status = next((k.value for k in node.keywords if k.arg == "status"), None)
                args = node.args
                if (
                    len(args) >= 2
                    and isinstance(args[0], ast.Constant)
                    and isinstance(args[0].value, str)
                    and isinstance(status, ast.Constant)
                    and isinstance(status.value, int)
                ):
                    qual = f"{owner}.{func.name}" if owner else func.name
                    message = _message(args[1]) or ""
                    uses.append(
                        ErrorUse(args[0].value, f"status:{status.value}", message, module, qual)
                    )
    return uses


def _resolve(func: Any) -> tuple[str, str] | None:
    func = inspect.unwrap(func)
    module = getattr(func, "__module__", "") or ""
    if not module.startswith(PACKAGES):
        return None
    qual = getattr(func, "__qualname__", "")
    return module, qual


def _target(call: ast.Call, scope: dict[str, Any]) -> list[tuple[str, str]]:
    """The functions a call may reach: resolved through globals, or a uniquely named method."""
    index = _index()
    func = call.func
    obj: Any = None
    if isinstance(func, ast.Name):
        obj = scope.get(func.id)
    elif isinstance(func, ast.Attribute):
        chain: list[str] = []
        node: ast.expr = func
        while isinstance(node, ast.Attribute):
            chain.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name) and node.id in scope:
            obj = scope[node.id]
            for attr in reversed(chain):
                obj = _member(obj, attr)
                if obj is None:
                    break
        if obj is None:
            candidates = index.methods.get(func.attr, [])
            return candidates if len(candidates) == 1 else []
    if isinstance(obj, staticmethod | classmethod):
        obj = obj.__func__
    if not inspect.isfunction(obj):
        return []
    key = _resolve(obj)
    return [key] if key and key in index.calls_by_function else []


def _member(obj: Any, attr: str) -> Any:
    """Follow `obj.attr` only through modules and classes (never run a property or proxy)."""
    try:
        if isinstance(obj, ModuleType):
            return vars(obj).get(attr)
        if inspect.isclass(obj):
            return inspect.getattr_static(obj, attr, None)
    except Exception:
        return None
    return None


def _globals_of(module: str) -> dict[str, Any]:
    return vars(importlib.import_module(module))


def codes_reached(handler: Callable[..., Any], *, depth: int = 8) -> list[ErrorUse]:
    """The domain errors a route handler can construct, following calls `depth` levels deep."""
    start = _resolve(handler)
    if start is None:
        return []
    return list(_reached(start, depth))


@functools.cache
def _reached(start: tuple[str, str], depth: int) -> tuple[ErrorUse, ...]:
    index = _index()
    seen: set[tuple[str, str]] = set()
    # By code and kind: one code given with two statuses (a malformed and an unknown invitation
    # code) is documented under both.
    found: dict[tuple[str, str], ErrorUse] = {}
    frontier = [start]
    for _ in range(depth):
        following: list[tuple[str, str]] = []
        for key in frontier:
            if key in seen:
                continue
            seen.add(key)
            for use in index.uses_by_function.get(key, []):
                found.setdefault((use.code, use.kind), use)
            for use in index.computed:
                if (use.module, use.function) == key:
                    found.setdefault((use.code, use.kind), use)
            scope = _globals_of(key[0])
            for call in index.calls_by_function.get(key, []):
                following += _target(call, scope)
        frontier = following
    return tuple(found.values())
