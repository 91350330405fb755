"""OpenAPI entries of the ledger's part of the API (merged into console/openapi.py's document)."""

from __future__ import annotations

from typing import Any

from platforms import CLASSES, KINDS
from platforms.tips import TIP_STATUSES


def _param(name: str, description: str, schema: dict[str, Any] | None = None,
           where: str = "query", required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "description": description,
            "schema": schema or {"type": "string"}}


def _ok(ref: str, description: str = "OK") -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": ref}}}}


ERRORS = {"401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"}}
NOT_FOUND = {"404": {"$ref": "#/components/responses/NotFound"}}
TIME = {"type": ["string", "null"], "format": "date-time"}


def ledger_paths() -> dict[str, Any]:
    pid = _param("platform_id", "Platform id (pf-...)", where="path", required=True)
    limit = _param("limit", "How many (1-500)", {"type": "integer"})
    return {
        "/api/platforms": {"get": {
            "summary": "Platforms of the ledger, highest risk score first",
            "parameters": [_param("class", "分类", {"type": "string", "enum": list(CLASSES)}),
                           _param("kind", "平台类别", {"type": "string", "enum": list(KINDS)}),
                           _param("lead", "Lead department"),
                           _param("min_score", "Lowest risk score", {"type": "integer"}),
                           _param("q", "Substring of name, operator or domain"), limit],
            "responses": {"200": _ok("#/components/schemas/PlatformList"), **ERRORS}}},
        "/api/platforms/{platform_id}": {"get": {
            "summary": "One platform with score history (reasons), classifications, products "
                       "and history",
            "parameters": [pid, limit],
            "responses": {"200": _ok("#/components/schemas/PlatformDetail"), **NOT_FOUND,
                          **ERRORS}}},
        "/api/platforms/{platform_id}/classifications": {"post": {
            "summary": "Classify a platform (an officer of its lead department, or admin)",
            "parameters": [pid],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/ClassificationInput"}}}},
            "responses": {"201": _ok("#/components/schemas/ClassificationResult", "Recorded"),
                          "400": {"$ref": "#/components/responses/BadRequest"}, **NOT_FOUND,
                          **ERRORS}}},
        "/api/tips": {"get": {
            "summary": "Tips (举报), newest first",
            "parameters": [_param("status", "Tip status",
                                  {"type": "string", "enum": list(TIP_STATUSES)}), limit],
            "responses": {"200": _ok("#/components/schemas/TipList"), **ERRORS}}},
        "/api/blacklist": {"get": {
            "summary": "The blacklist export (schema patrol.blacklist, version 1, with the "
                       "SHA-256 of its platforms; see docs/platforms.md)",
            "responses": {"200": _ok("#/components/schemas/Blacklist"), **ERRORS}}},
    }


def ledger_schemas() -> dict[str, Any]:
    strings = {"type": "array", "items": {"type": "string"}}
    platform = {"type": "object", "required": ["id", "name", "kind", "lead", "classification"],
                "properties": {
                    "id": {"type": "string"}, "name": {"type": "string"}, "aliases": strings,
                    "operator": {"type": "string"}, "credit_code": {"type": "string"},
                    "icp": {"type": "string"}, "domains": strings, "apps": strings,
                    "kind": {"type": "string", "enum": list(KINDS)}, "lead": {"type": "string"},
                    "licence": {"type": "string"}, "targets": strings,
                    "classification": {"type": "string", "enum": list(CLASSES)},
                    "deadline": TIME, "score": {"type": "integer"},
                    "proposed": {"type": "string", "enum": list(CLASSES)},
                    "merged_into": {"type": ["string", "null"]}, "source": {"type": "string"},
                    "created_at": TIME, "updated_at": TIME}}
    reason = {"type": "object", "properties": {"points": {"type": "integer"},
                                               "text": {"type": "string"},
                                               "code": {"type": "string"}}}
    score = {"type": "object", "properties": {
        "platform_id": {"type": "string"}, "at": {"type": "string", "format": "date-time"},
        "score": {"type": "integer"}, "proposed": {"type": "string"},
        "reasons": {"type": "array", "items": {"$ref": "#/components/schemas/ScoreReason"}},
        "deviation": {"type": ["number", "null"]}, "reference": {"type": ["number", "null"]},
        "posture": {"type": "object"}}}
    classification = {"type": "object", "properties": {
        "platform_id": {"type": "string"}, "classification": {"type": "string"},
        "by": {"type": "string"}, "at": {"type": "string", "format": "date-time"},
        "reason": {"type": "string"}, "deadline": TIME, "proposed": {"type": "string"},
        "score": {"type": ["integer", "null"]}}}
    product = {"type": "object", "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}, "annual_rate": {"type": "number"},
        "term": {"type": "string"}, "minimum": {"type": ["number", "null"]},
        "first_seen": TIME, "last_seen": TIME, "source": {"type": "string"},
        "rates": {"type": "array", "items": {"type": "array"}}}}
    tip = {"type": "object", "properties": {
        "receipt": {"type": "string"}, "at": {"type": "string", "format": "date-time"},
        "text": {"type": "string"}, "url": {"type": "string"},
        "platform_name": {"type": "string"}, "contact": {"type": "string"},
        "source": {"type": "string"}, "status": {"type": "string", "enum": list(TIP_STATUSES)},
        "platform_id": {"type": ["string", "null"]}, "handled_by": {"type": "string"},
        "handled_at": TIME, "note": {"type": "string"}}}
    ref = "#/components/schemas/"
    return {
        "Platform": platform, "ScoreReason": reason, "Score": score,
        "Classification": classification, "Product": product, "Tip": tip,
        "PlatformList": {"type": "object", "properties": {
            "items": {"type": "array", "items": {"$ref": ref + "Platform"}}}},
        "PlatformDetail": {"type": "object", "properties": {
            "platform": {"$ref": ref + "Platform"},
            "scores": {"type": "array", "items": {"$ref": ref + "Score"}},
            "classifications": {"type": "array", "items": {"$ref": ref + "Classification"}},
            "products": {"type": "array", "items": {"$ref": ref + "Product"}},
            "events": {"type": "array", "items": {"type": "object"}}}},
        "ClassificationInput": {"type": "object", "required": ["classification", "reason"],
                                "properties": {
                                    "classification": {"type": "string", "enum": list(CLASSES)},
                                    "reason": {"type": "string"},
                                    "deadline": {"type": "string",
                                                 "description": "for 整改: ISO date or time"}}},
        "ClassificationResult": {"type": "object", "properties": {
            "platform": {"$ref": ref + "Platform"},
            "classification": {"$ref": ref + "Classification"}}},
        "TipList": {"type": "object", "properties": {
            "items": {"type": "array", "items": {"$ref": ref + "Tip"}}}},
        "Blacklist": {"type": "object", "required": ["schema", "version", "sha256", "platforms"],
                      "properties": {"schema": {"const": "patrol.blacklist"},
                                     "version": {"const": 1}, "exported_at": TIME,
                                     "count": {"type": "integer"}, "sha256": {"type": "string"},
                                     "platforms": {"type": "array",
                                                   "items": {"type": "object"}}}},
    }
