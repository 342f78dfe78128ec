"""The OpenAPI document is exact for every route: a route added without it fails here.

The document is completed centrally by `miniprogram_api/contract.py`; these tests read the
served document as a front-end developer would and check each operation.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sanic import Sanic

from miniprogram_api.contract import (
    _models_used,
    _routes_by_operation,
    clashing_model_names,
    enum_labels,
)
from tests.support.client import Client
from tests.support.conformance import UTC_TIME, problems

ERROR_REF = "#/components/schemas/ErrorResponse"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
async def document(client: Client) -> dict[str, Any]:
    response = await client.get("/api/v1/openapi.json")
    assert response.status == 200
    return dict(response.json)


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def _walk(node: Any, pointer: str = "#") -> Any:
    if isinstance(node, dict):
        yield pointer, node
        for key, value in node.items():
            yield from _walk(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{pointer}/{i}")


async def test_every_operation_has_a_chinese_summary_and_an_english_description(
    document: dict[str, Any],
) -> None:
    missing = []
    for method, path, op in _operations(document):
        description = op.get("description", "")
        # The access line is added to every operation; the docstring must come before it.
        if not op.get("summary") or not description or description.startswith("Access:"):
            missing.append(f"{method.upper()} {path}")
        elif not description.isascii() and description.split("\n")[0] == op["summary"]:
            missing.append(f"{method.upper()} {path} (description repeats the summary)")
    assert not missing, "operations without a summary or a docstring:\n" + "\n".join(missing)


async def test_every_operation_documents_its_success_body(document: dict[str, Any]) -> None:
    untyped, bare = set(), []
    for method, path, op in _operations(document):
        ok = {s: r for s, r in op["responses"].items() if s.startswith("2")}
        if not ok or "default" in op["responses"]:
            bare.append(f"{method.upper()} {path}")
        if any(r.get("x-untyped") for r in ok.values()):
            untyped.add((method, path))
        for response in ok.values():
            for media in response.get("content", {}).values():
                assert "schema" in media, f"{method} {path}: a success body without schema"
    assert not bare, "operations without a documented success response:\n" + "\n".join(bare)
    assert not untyped, f"routes need a @response_model: {sorted(untyped)}"


async def test_every_operation_documents_the_errors_its_guards_and_code_can_give(
    document: dict[str, Any],
) -> None:
    problems = []
    for method, path, op in _operations(document):
        responses = op["responses"]
        expected = {"503"}
        if op.get("security"):
            expected.add("401")
        if any(p["in"] == "path" for p in op.get("parameters", [])):
            expected.add("404")
        if "requestBody" in op:
            expected |= {"400", "413"}
        if any(p["in"] == "query" for p in op.get("parameters", [])) and path != "/wechat/callback":
            expected.add("400")
        if not expected <= set(responses):
            problems.append(f"{method.upper()} {path}: lacks {sorted(expected - set(responses))}")
        for status, response in responses.items():
            if status[0] in "45":
                media = response["content"]["application/json"]
                assert media["schema"] == {"$ref": ERROR_REF}, (method, path, status)
                assert media["examples"], (method, path, status)
                assert "Codes: `" in response["description"]
    assert not problems, "\n".join(problems)


async def test_role_guarded_routes_document_403_with_the_role_code(
    document: dict[str, Any],
) -> None:
    dashboard = document["paths"]["/api/v1/dashboard"]["get"]
    assert (
        "ROLE_FORBIDDEN" in dashboard["responses"]["403"]["content"]["application/json"]["examples"]
    )
    login = document["paths"]["/api/v1/auth/wx-login"]["post"]
    login_401 = login["responses"].get("401", {"content": {"application/json": {"examples": {}}}})
    assert "TOKEN_EXPIRED" not in login_401["content"]["application/json"]["examples"]
    assert (
        "TOKEN_EXPIRED" in dashboard["responses"]["401"]["content"]["application/json"]["examples"]
    )


async def test_domain_error_codes_reached_by_a_route_are_listed_with_their_status(
    document: dict[str, Any],
) -> None:
    """The codes come from reading the code: binding names the roster mismatch and the limit."""
    bind = document["paths"]["/api/v1/auth/bind-trainee"]["post"]["responses"]
    assert "TRAINEE_NOT_FOUND" in bind["404"]["content"]["application/json"]["examples"]
    assert "TOO_MANY_ATTEMPTS" in bind["429"]["content"]["application/json"]["examples"]
    example = document["components"]["examples"]["TOO_MANY_ATTEMPTS"]["value"]["error"]
    assert example["message"] == "尝试次数过多，请稍后再试"


async def test_bodies_have_examples_and_required_fields(document: dict[str, Any]) -> None:
    missing = []
    for method, path, op in _operations(document):
        holders = [("request", op.get("requestBody", {}))]
        holders += [(s, r) for s, r in op["responses"].items() if s.startswith("2")]
        for where, holder in holders:
            for media_type, media in holder.get("content", {}).items():
                if "json" in media_type and "example" not in media and "examples" not in media:
                    missing.append(f"{method.upper()} {path} {where}")
    assert not missing, "bodies without an example:\n" + "\n".join(missing)
    review = document["paths"]["/api/v1/classes/{class_id}/review"]["post"]
    ref = review["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert "decision" in document["components"]["schemas"][ref.split("/")[-1]]["required"]


async def test_required_parameters_are_marked(document: dict[str, Any]) -> None:
    dashboard = {p["name"]: p for p in document["paths"]["/api/v1/dashboard"]["get"]["parameters"]}
    assert dashboard["start"]["required"] is True
    assert dashboard["end"]["required"] is True
    assert dashboard["start"]["schema"]["format"] == "date"
    assert dashboard["by"]["required"] is False
    for method, path, op in _operations(document):
        for param in op.get("parameters", []):
            if param["in"] == "path":
                assert param.get("required") is True, (method, path, param["name"])
            assert "$ref" not in json.dumps(param.get("schema", {})) or "#/$defs" not in json.dumps(
                param
            )


async def test_the_document_is_openapi_3_0_without_3_1_constructs(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.0")
    assert document["servers"], "servers: [] is invalid"
    for pointer, node in _walk(document):
        any_of = node.get("anyOf")
        if isinstance(any_of, list):
            assert {"type": "null"} not in any_of, pointer
        assert not isinstance(node.get("type"), list), pointer
        assert "const" not in node or "/properties" in pointer, pointer
        if node.get("nullable"):
            assert "type" in node, pointer
        if "$ref" in node:
            assert len(node) == 1, f"{pointer}: $ref with siblings"
            assert not node["$ref"].startswith("#/$defs"), pointer


async def test_the_wechat_callback_describes_its_xml_body(document: dict[str, Any]) -> None:
    post = document["paths"]["/wechat/callback"]["post"]
    assert "text/xml" in post["requestBody"]["content"]
    schema = document["components"]["schemas"]["WeChatPushEvent"]
    assert schema["xml"] == {"name": "xml"}
    assert {"ToUserName", "FromUserName", "CreateTime", "MsgType"} <= set(schema["required"])
    assert {p["name"] for p in post["parameters"] if p["required"]} >= {"signature", "nonce"}
    assert post["responses"]["200"]["content"]["text/plain"]["example"] == "success"


async def test_model_class_names_are_unique(document: dict[str, Any]) -> None:
    """One name per schema in the code too (ReviewIn, ClassSummaryOut, PageQuery,
    PlanIn, RevokeIn once clashed); the document then needs no qualified names."""
    assert clashing_model_names() == set()
    schemas = document["components"]["schemas"]
    assert {"ClassesReviewIn", "AttendanceReviewIn"}.isdisjoint(schemas)


async def test_each_route_documents_its_own_models_even_when_class_names_clash(
    app: Sanic, document: dict[str, Any]
) -> None:
    """Two models with one class name overwrite each other in `components/schemas` unless the
    document gives the clashing ones qualified names: each route must show its own model."""
    handlers = _routes_by_operation(app)
    schemas = document["components"]["schemas"]
    wrong = []
    for method, path, op in _operations(document):
        for where, model in _models_used(handlers.get((path.rstrip("/") or "/", method))):
            holder = op.get("requestBody", {}) if where == "request" else op["responses"][where]
            schema = holder["content"]["application/json"]["schema"]
            ref = schema.get("$ref", schema.get("allOf", [{}])[0].get("$ref", "")).split("/")[-1]
            expected = set(model.model_json_schema().get("properties", {}))
            if set(schemas[ref].get("properties", {})) != expected:
                wrong.append(f"{method.upper()} {path} {where}: {ref} is not {model.__qualname__}")
    assert not wrong, "\n".join(wrong)


async def test_lists_answer_items_total_limit_and_offset(document: dict[str, Any]) -> None:
    """One shape for lists: a paged list or a bounded one answered in one page."""
    schemas = document["components"]["schemas"]
    odd = set()
    for _, _, op in _operations(document):
        for status, response in op["responses"].items():
            schema = response.get("content", {}).get("application/json", {}).get("schema", {})
            name = schema.get("$ref", "").split("/")[-1]
            properties = schemas.get(name, {}).get("properties", {})
            assert schemas.get(name, {}).get("type") != "array", f"{name}: a bare array"
            shaped = {"total", "limit", "offset"} <= set(properties)
            if status.startswith("2") and "items" in properties and not shaped:
                odd.add(name)
    assert not odd, f"lists without total/limit/offset (docs/api-changes.md, Lists): {odd}"


async def test_rates_are_numbers_and_money_is_a_decimal_string(document: dict[str, Any]) -> None:
    wrong = []
    for name, schema in document["components"]["schemas"].items():
        if not name.endswith("Out"):
            continue
        for prop, sub in schema.get("properties", {}).items():
            kind = sub.get("type")
            is_rate = prop.endswith("_rate") or prop == "rate"
            bounded = sub.get("minimum") == 0 and sub.get("maximum") == 1
            said = "decimals" in sub.get("description", "")
            if is_rate and (kind != "number" or not bounded or not said):
                wrong.append(f"{name}.{prop}: {kind} (a number in [0, 1], its precision said)")
            if prop.endswith("amount") and kind not in ("string", None):
                wrong.append(f"{name}.{prop}: {kind} (money is a string with two decimals)")
    for name, schema in document["components"]["schemas"].items():
        for prop, sub in schema.get("properties", {}).items():
            # Requests too: one documented form for an amount ("12000.00"), not number-or-string.
            if (prop.endswith("amount") or prop == "budget") and sub.get("type") != "string":
                wrong.append(f"{name}.{prop}: {sub} (money is a decimal string)")
    assert not wrong, "\n".join(wrong)


def _open_objects(document: dict[str, Any], node: Any, where: str, seen: frozenset[str]) -> Any:
    """Where a schema lets an object carry any keys: no `properties`, or `additionalProperties`
    (a free-form `dict[str, Any]`, or a map such as `dict[str, int]`)."""
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        name = node["$ref"].split("/")[-1]
        if name not in seen:
            schema = document["components"]["schemas"][name]
            yield from _open_objects(document, schema, name, seen | {name})
        return
    combined = [sub for key in ("allOf", "anyOf", "oneOf") for sub in node.get(key, [])]
    for sub in combined:
        yield from _open_objects(document, sub, where, seen)
    closed = node.get("properties") and node.get("additionalProperties") in (None, False)
    if node.get("type") == "object" and not combined and not closed:
        yield where
    for name, sub in node.get("properties", {}).items():
        yield from _open_objects(document, sub, f"{where}.{name}", seen)
    yield from _open_objects(document, node.get("items"), f"{where}[]", seen)


# Typed results: these answered free-form objects (session, counts, rows, scans,
# marks, history, totals, cells); the services now return dataclasses the routes validate.
CLOSED_ANSWERS = [
    ("get", "/api/v1/sessions/{session_id}/checkins"),
    ("get", "/api/v1/sessions/{session_id}/attendance/{trainee_id}"),
    ("put", "/api/v1/sessions/{session_id}/attendance/{trainee_id}"),
    ("get", "/api/v1/classes/{class_id}/attendance"),
    ("get", "/api/v1/me/attendance"),
]


@pytest.mark.parametrize(("method", "path"), CLOSED_ANSWERS)
async def test_attendance_answers_document_every_field_of_every_object(
    document: dict[str, Any], method: str, path: str
) -> None:
    """Each object of the answer lists its fields, so the conformance check of the role matrix
    refuses any field the code adds without the document (see `tests/support/conformance.py`)."""
    operation = document["paths"][path][method]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert list(_open_objects(document, schema, "body", frozenset())) == []


def test_the_open_object_finder_sees_free_forms_and_maps() -> None:
    """The check above can fail: a free-form object, a map and a bare object are each found."""
    document = {
        "components": {
            "schemas": {
                "Out": {
                    "type": "object",
                    "properties": {
                        "free": {"type": "object", "additionalProperties": True},
                        "map": {"type": "object", "additionalProperties": {"type": "integer"}},
                        "rows": {"type": "array", "items": {"type": "object"}},
                        "row": {"nullable": True, "allOf": [{"$ref": "#/components/schemas/Row"}]},
                    },
                },
                "Row": {"type": "object", "properties": {"id": {"type": "integer"}}},
            }
        }
    }
    found = _open_objects(document, {"$ref": "#/components/schemas/Out"}, "body", frozenset())
    assert list(found) == ["Out.free", "Out.map", "Out.rows[]"]


async def test_every_enumeration_has_chinese_labels(document: dict[str, Any]) -> None:
    """A front end shows labels, not codes: each value of each enum is labelled in the document,
    from the same tables the reference routes and the `*_label` fields use."""
    unlabelled = [
        f"{pointer}: {node['enum']}"
        for pointer, node in _walk(document)
        if isinstance(node.get("enum"), list)
        and set(map(str, node["enum"])) - set(node.get("x-enum-labels", {}))
    ]
    assert not unlabelled, "\n".join(unlabelled)
    role = document["components"]["schemas"]["Role"]
    assert role["x-enum-labels"]["hr_admin"] == "人社部门管理员"
    assert "`hr_admin` 人社部门管理员" in role["description"]


async def test_the_docs_ui_reads_the_completed_document(client: Client) -> None:
    ui = (await client.get("/docs/openapi.json")).json
    assert ui == (await client.get("/api/v1/openapi.json")).json
    assert ui["components"]["schemas"]["ErrorResponse"]


async def test_the_conformance_check_refuses_drift_and_utc_times(document: dict[str, Any]) -> None:
    """What the role matrix applies to every answer: it must catch each kind of drift."""
    path = "/api/v1/institutions/1/plan-vs-actual"
    row = {
        "month": None,
        "planned_classes": 2,
        "planned_trainees": 60,
        "budget": "12000.00",
        "status": "draft",
        "actual": {"classes": 1, "trainees": 30},
    }
    body = {"institution_id": 1, "institution": "甲", "year": 2026, "rows": [row]}
    assert problems(document, "GET", path, 200, body) == []
    extra = {**body, "undocumented": 1}
    assert "undocumented" in problems(document, "GET", path, 200, extra)[0]
    wrong_type = {**body, "rows": [{**row, "budget": 12000}]}
    assert "rows[0].budget" in problems(document, "GET", path, 200, wrong_type)[0]
    assert "status 201 not documented" in problems(document, "GET", path, 201, body)[0]
    utc = {"expires_at": "2026-12-07T01:30:00Z", "at": "2026-12-07T01:30:00.5+00:00"}
    found = problems(document, "GET", path, 200, {**body, **utc})
    assert [f.split(":")[0] for f in found if "is +08:00" in f] == [".expires_at", ".at"]
    assert UTC_TIME.match("2026-12-07T09:30:00+08:00") is None


def test_labels_are_never_guessed_between_two_enumerations_with_the_same_values() -> None:
    """An institution's and an instructor's status share `active`/`suspended`: the label a
    field gets must not depend on which module was imported first (it once read 暂停选派 for an
    institution). Ambiguous values get no guessed labels; the field declares them."""
    institution = {"active": "正常", "suspended": "暂停", "disqualified": "已取消"}
    instructor = {"active": "正常", "suspended": "暂停选派", "blacklisted": "已列入黑名单"}
    exact = {"active": "正常", "suspended": "暂停"}
    assert enum_labels(["active", "suspended"], [institution, instructor]) is None
    assert enum_labels(["active", "suspended"], [instructor, institution]) is None
    assert enum_labels(["active", "suspended"], [instructor, exact]) == exact
    assert enum_labels(["disqualified", "active"], [institution, instructor]) == {
        "disqualified": "已取消",
        "active": "正常",
    }
    same = dict(institution)
    assert enum_labels(["active"], [institution, same]) == {"active": "正常"}


async def test_an_institutions_status_is_labelled_as_an_institutions(
    document: dict[str, Any],
) -> None:
    status = document["components"]["schemas"]["InstitutionPatch"]["properties"]["status"]
    assert status["x-enum-labels"] == {"active": "正常", "suspended": "暂停"}


def _plain_string(schema: dict[str, Any]) -> bool:
    """A string without a format (a flag such as `review_in_time` is no moment)."""
    options = schema.get("anyOf") or schema.get("oneOf") or [schema]
    strings = [o for o in options if o.get("type") == "string"]
    return bool(strings) and not any(o.get("format") == "date-time" for o in strings)


async def test_every_time_field_is_documented_as_a_date_time(document: dict[str, Any]) -> None:
    """A field named `…_at`, `…_until` or `…_time` is a moment: typed `LocalDateTime` (answered
    `+08:00` whatever the service holds), never a plain string a service formats itself — one of
    those answered a trainee's survey time in UTC."""
    plain = [
        f"{name}.{field}"
        for name, schema in document["components"]["schemas"].items()
        for field, prop in schema.get("properties", {}).items()
        if (field == "at" or field.endswith(("_at", "_until", "_time"))) and _plain_string(prop)
    ]
    assert plain == []
