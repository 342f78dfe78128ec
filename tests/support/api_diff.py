"""Breaking changes between two OpenAPI documents (the released one and the current one).

Breaking for a client built against the released document:
- an operation (path + method) removed;
- a request: a new required parameter or body field, a parameter or body field whose type changed;
- a success response: a field removed or whose type changed (nested objects and list items too).
Each change is one line such as `GET /api/v1/dashboard: response 200 field groups[].key removed`;
`docs/api-changes.md` must quote every such line.
"""

from __future__ import annotations

from typing import Any

METHODS = ("get", "post", "put", "patch", "delete")
MAX_DEPTH = 8


def strip_examples(node: Any) -> Any:
    """The document without examples (what the released snapshot keeps)."""
    if isinstance(node, dict):
        return {
            k: strip_examples(v)
            for k, v in node.items()
            if k not in ("example", "examples") or not isinstance(v, dict | list | str | int)
        }
    if isinstance(node, list):
        return [strip_examples(v) for v in node]
    return node


class _Doc:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.schemas = document.get("components", {}).get("schemas", {})

    def resolve(self, schema: Any) -> dict[str, Any]:
        """Follow `$ref` and single-`allOf` wrappers to the schema they stand for."""
        seen = 0
        while isinstance(schema, dict) and seen < 20:
            seen += 1
            if "$ref" in schema:
                schema = self.schemas.get(schema["$ref"].split("/")[-1], {})
            elif len(schema.get("allOf", [])) == 1 and "properties" not in schema:
                schema = {**{k: v for k, v in schema.items() if k != "allOf"}, **schema["allOf"][0]}
            else:
                break
        return schema if isinstance(schema, dict) else {}

    def operations(self) -> dict[str, dict[str, Any]]:
        return {
            f"{method.upper()} {path}": op
            for path, item in self.document.get("paths", {}).items()
            for method, op in item.items()
            if method in METHODS
        }


def _type(schema: dict[str, Any]) -> str:
    if "type" in schema:
        return str(schema["type"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return key
    return "any"


def _json_schema(holder: dict[str, Any]) -> Any:
    return holder.get("content", {}).get("application/json", {}).get("schema")


def _compare_request(
    old: _Doc, new: _Doc, a: Any, b: Any, where: str, out: list[str], depth: int = 0
) -> None:
    if depth > MAX_DEPTH or a is None or b is None:
        return
    sa, sb = old.resolve(a), new.resolve(b)
    if _type(sa) != _type(sb) and "any" not in (_type(sa), _type(sb)):
        out.append(f"{where} type changed from {_type(sa)} to {_type(sb)}")
        return
    old_props, new_props = sa.get("properties", {}), sb.get("properties", {})
    for name in sorted(set(sb.get("required", [])) - set(sa.get("required", []))):
        out.append(f"{where} field {name} now required")
    for name in sorted(set(old_props) & set(new_props)):
        _compare_request(
            old, new, old_props[name], new_props[name], f"{where}.{name}", out, depth + 1
        )
    if _type(sa) == "array":
        _compare_request(old, new, sa.get("items"), sb.get("items"), f"{where}[]", out, depth + 1)


def _compare_response(
    old: _Doc, new: _Doc, a: Any, b: Any, where: str, out: list[str], depth: int = 0
) -> None:
    if depth > MAX_DEPTH or a is None:
        return
    if b is None:
        out.append(f"{where} body removed")
        return
    sa, sb = old.resolve(a), new.resolve(b)
    if _type(sa) != _type(sb) and "any" not in (_type(sa), _type(sb)):
        out.append(f"{where} type changed from {_type(sa)} to {_type(sb)}")
        return
    old_props, new_props = sa.get("properties", {}), sb.get("properties", {})
    for name in sorted(old_props):
        if name not in new_props:
            out.append(f"{where} field {name} removed")
        else:
            _compare_response(
                old, new, old_props[name], new_props[name], f"{where}.{name}", out, depth + 1
            )
    if _type(sa) == "array":
        _compare_response(old, new, sa.get("items"), sb.get("items"), f"{where}[]", out, depth + 1)


def breaking_changes(released: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Every breaking change from `released` to `current`, one line each."""
    old, new = _Doc(released), _Doc(current)
    out: list[str] = []
    new_ops = new.operations()
    for name, op in sorted(old.operations().items()):
        if name not in new_ops:
            out.append(f"{name}: operation removed")
            continue
        now = new_ops[name]
        changes: list[str] = []
        old_params = {(p["in"], p["name"]): p for p in op.get("parameters", [])}
        for param in now.get("parameters", []):
            key = (param["in"], param["name"])
            before = old_params.get(key)
            if param.get("required") and not (before and before.get("required")):
                changes.append(f"request {param['in']} parameter {param['name']} now required")
            if before is not None:
                _compare_request(
                    old,
                    new,
                    before.get("schema"),
                    param.get("schema"),
                    f"request {param['in']} parameter {param['name']}",
                    changes,
                )
        if "requestBody" in now and "requestBody" not in op and now["requestBody"].get("required"):
            changes.append("request body now required")
        _compare_request(
            old,
            new,
            _json_schema(op.get("requestBody", {})),
            _json_schema(now.get("requestBody", {})),
            "request body",
            changes,
        )
        for status, response in op.get("responses", {}).items():
            if not str(status).startswith("2"):
                continue
            if status not in now.get("responses", {}):
                changes.append(f"response {status} removed")
                continue
            _compare_response(
                old,
                new,
                _json_schema(response),
                _json_schema(now["responses"][status]),
                f"response {status}",
                changes,
            )
        out += [f"{name}: {change}" for change in changes]
    return out
