"""The OpenAPI 3.1 description of the console's JSON API (served at /api/openapi.json)."""

from __future__ import annotations

from typing import Any

from findings.model import DECISIONS, RUN_STATUSES, SEVERITIES, STATUSES
from settings import RULE_IDS


def _param(name: str, description: str, schema: dict[str, Any] | None = None,
           where: str = "query", required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "description": description,
            "schema": schema or {"type": "string"}}


def _ok(schema_ref: str, description: str = "OK") -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": schema_ref}}}}


ERRORS = {"401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"}}


def openapi_document(base_url: str) -> dict[str, Any]:
    nullable_time = {"type": ["string", "null"], "format": "date-time"}
    finding = {
        "type": "object",
        "required": ["id", "rule", "severity", "evidence", "source", "status"],
        "properties": {
            "id": {"type": "string"}, "rule": {"type": "string", "enum": list(RULE_IDS)},
            "rule_name": {"type": "string"},
            "severity": {"type": "string", "enum": list(SEVERITIES)},
            "evidence": {"type": "string"}, "start": {"type": "integer"},
            "end": {"type": "integer"}, "clause": {"type": "string"},
            "lead": {"type": "string"}, "source": {"type": "string"},
            "captured_at": {"type": "string", "format": "date-time"},
            "annual_rate": {"type": ["number", "null"]}, "context": {"type": "string"},
            "domain": {"type": "string"}, "target": {"type": "string"},
            "kind": {"type": "string"}, "page_id": {"type": ["string", "null"]},
            "platform": {"type": ["string", "null"]}, "sentiment": {"type": ["number", "null"]},
            "operator": {"type": ["string", "null"]}, "first_seen": nullable_time,
            "last_seen": nullable_time, "gone_at": nullable_time, "posted_at": nullable_time,
            "status": {"type": "string", "enum": list(STATUSES)},
            "forwarded_to": {"type": ["string", "null"]},
        },
    }
    decision = {
        "type": "object", "required": ["finding_id", "decision", "by", "at"],
        "properties": {"finding_id": {"type": "string"},
                       "decision": {"type": "string", "enum": list(DECISIONS)},
                       "by": {"type": "string"}, "at": {"type": "string", "format": "date-time"},
                       "note": {"type": "string"}, "to": {"type": ["string", "null"]}},
    }
    run = {
        "type": "object", "required": ["id", "target", "started_at", "status"],
        "properties": {"id": {"type": "string"}, "target": {"type": "string"},
                       "started_at": {"type": "string", "format": "date-time"},
                       "ended_at": nullable_time,
                       "status": {"type": "string", "enum": list(RUN_STATUSES)},
                       "trigger": {"type": "string"}, "pages": {"type": "integer"},
                       "findings": {"type": "integer"}, "exit_code": {"type": ["integer", "null"]},
                       "errors": {"type": "object", "additionalProperties": {"type": "integer"}},
                       "stats": {"type": "object"}},
    }
    error = {"type": "object", "properties": {"error": {"type": "string"},
                                              "message": {"type": "string"}}}
    list_filters = [
        _param(p, f"Filter on {p} (repeatable; any of the values)") for p in
        ("rule", "severity", "status", "lead", "domain", "target", "kind", "platform")
    ] + [
        _param("source", "Exact source URL or record id"),
        _param("since", "last_seen at or after (ISO date or date-time)"),
        _param("until", "last_seen at or before (ISO date or date-time)"),
        _param("q", "Chinese full-text search"),
        _param("sort", "newest or severity", {"type": "string", "enum": ["newest", "severity"]}),
        _param("limit", "Items per page (1-500)", {"type": "integer", "default": 50}),
        _param("cursor", "next_cursor of the previous page"),
    ]
    finding_id = _param("finding_id", "Finding id", where="path", required=True)
    from .openapi_ledger import ledger_paths, ledger_schemas

    doc = {
        "openapi": "3.1.0",
        "info": {"title": "网络金融风险巡查系统 API", "version": "1",
                 "description": "Findings, review decisions and patrol runs of the patrol. "
                                "Authenticate with `Authorization: Bearer TOKEN` (a token from "
                                "`patrol users token NAME`)."},
        "servers": [{"url": base_url.rstrip("/")}],
        "security": [{"bearer": []}],
        "paths": {
            "/api/findings": {"get": {
                "summary": "List findings", "parameters": list_filters,
                "responses": {"200": _ok("#/components/schemas/FindingList"), **ERRORS}}},
            "/api/findings/{finding_id}": {"get": {
                "summary": "One finding with its decisions", "parameters": [finding_id],
                "responses": {"200": _ok("#/components/schemas/FindingDetail"),
                              "404": {"$ref": "#/components/responses/NotFound"}, **ERRORS}}},
            "/api/findings/{finding_id}/decisions": {
                "get": {"summary": "Decisions on a finding (the audit log)",
                        "parameters": [finding_id],
                        "responses": {"200": _ok("#/components/schemas/DecisionList"),
                                      **ERRORS}},
                "post": {"summary": "Decide on a finding (confirm, dismiss, forward, reopen); "
                                    "403 when the finding is neither led by nor forwarded to "
                                    "the token's department, 409 when it was decided already",
                         "parameters": [finding_id],
                         "requestBody": {"required": True, "content": {"application/json": {
                             "schema": {"$ref": "#/components/schemas/DecisionInput"}}}},
                         "responses": {"201": _ok("#/components/schemas/DecisionResult",
                                                  "Recorded"),
                                       "400": {"$ref": "#/components/responses/BadRequest"},
                                       "404": {"$ref": "#/components/responses/NotFound"},
                                       "409": {"$ref": "#/components/responses/Conflict"},
                                       **ERRORS}}},
            "/api/runs": {"get": {
                "summary": "Recent patrol runs, newest first",
                "parameters": [_param("target", "Only runs of this target"),
                               _param("limit", "How many (1-500)", {"type": "integer"})],
                "responses": {"200": _ok("#/components/schemas/RunList"), **ERRORS}}},
            "/api/runs/{run_id}": {"get": {
                "summary": "One patrol run",
                "parameters": [_param("run_id", "Run id", where="path", required=True)],
                "responses": {"200": _ok("#/components/schemas/Run"),
                              "404": {"$ref": "#/components/responses/NotFound"}, **ERRORS}}},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Finding": finding, "Decision": decision, "Run": run, "Error": error,
                "FindingList": {"type": "object", "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
                    "next_cursor": {"type": ["string", "null"]},
                    "total": {"type": ["integer", "null"]}}},
                "FindingDetail": {"type": "object", "properties": {
                    "finding": {"$ref": "#/components/schemas/Finding"},
                    "decisions": {"type": "array",
                                  "items": {"$ref": "#/components/schemas/Decision"}}}},
                "DecisionList": {"type": "object", "properties": {
                    "items": {"type": "array",
                              "items": {"$ref": "#/components/schemas/Decision"}}}},
                "DecisionInput": {"type": "object", "required": ["decision"], "properties": {
                    "decision": {"type": "string", "enum": list(DECISIONS)},
                    "note": {"type": "string", "description": "required for dismissed"},
                    "to": {"type": "string", "description": "department, for forwarded"}}},
                "DecisionResult": {"type": "object", "properties": {
                    "decision": {"$ref": "#/components/schemas/Decision"},
                    "finding": {"$ref": "#/components/schemas/Finding"},
                    "alert_queued": {"type": "boolean",
                                     "description": "forward: the department's message was "
                                                    "queued now"}}},
                "RunList": {"type": "object", "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Run"}}}},
            },
            "responses": {
                name: {"description": desc, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Error"}}}}
                for name, desc in (("Unauthorized", "Missing or invalid token"),
                                   ("Forbidden", "The token's role may not do this"),
                                   ("NotFound", "No such record"),
                                   ("BadRequest", "Invalid input"),
                                   ("Conflict", "Already decided (reopen it first)"))
            },
        },
    }
    doc["paths"].update(ledger_paths())
    doc["components"]["schemas"].update(ledger_schemas())
    return doc
