"""A response checked against the served OpenAPI document: the document and the code cannot drift.

`problems(document, method, path, status, body)` lists what is wrong with one JSON response:
a status the operation does not document, a body its schema refuses (a field missing, of
another type, or one the schema does not list), and any time not in `+08:00`.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from jsonschema import Draft202012Validator

# An ISO 8601 date-time in UTC spelled as such: a client would show the wrong hour.
UTC_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|\+00:00)$")


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0.3 → JSON Schema 2020-12: `nullable`, boolean exclusive bounds; objects closed."""
    if isinstance(node, list):
        return [_json_schema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _json_schema(v) for k, v in node.items() if k not in ("example", "examples")}
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if out.get(bound) is True:
            out[bound] = out.pop(limit)
        elif out.get(bound) is False:
            del out[bound]
    # A field the code sends but the document does not list is drift too.
    if out.get("type") == "object" and "properties" in out:
        out.setdefault("additionalProperties", False)
    if out.pop("nullable", False):
        out = {"anyOf": [out, {"type": "null"}]}
    return out


_COMPONENTS: dict[int, Any] = {}


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    key = id(document)
    if key not in _COMPONENTS:
        _COMPONENTS.clear()
        _COMPONENTS[key] = _json_schema(copy.deepcopy(document["components"]))
    root = {**_json_schema(copy.deepcopy(schema)), "components": _COMPONENTS[key]}
    return Draft202012Validator(root)


def _operation(document: dict[str, Any], method: str, path: str) -> dict[str, Any] | None:
    concrete = path.split("?")[0]
    templates = sorted(document["paths"], key=lambda p: p.count("{"))
    for template in templates:
        pattern = "^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, concrete) and method.lower() in document["paths"][template]:
            return dict(document["paths"][template][method.lower()])
    return None


def _utc_times(node: Any, where: str = "") -> list[str]:
    if isinstance(node, dict):
        return [t for k, v in node.items() for t in _utc_times(v, f"{where}.{k}")]
    if isinstance(node, list):
        return [t for i, v in enumerate(node) for t in _utc_times(v, f"{where}[{i}]")]
    if isinstance(node, str) and UTC_TIME.match(node):
        return [f"{where}: {node} (a time people see is +08:00)"]
    return []


def problems(document: dict[str, Any], method: str, path: str, status: int, body: Any) -> list[str]:
    """What in this JSON response the document does not say (empty when it conforms)."""
    found = _utc_times(body)
    operation = _operation(document, method, path)
    if operation is None:
        return [*found, f"{method} {path}: no such operation in the document"]
    response = operation["responses"].get(str(status))
    if response is None:
        return [*found, f"{method} {path}: status {status} not documented"]
    media = response.get("content", {}).get("application/json")
    if media is None or not str(status).startswith("2"):
        return found
    validator = _validator(document, media["schema"])
    for error in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path)):
        at = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        found.append(f"{method} {path} {status} body{at}: {error.message[:200]}")
    return found
