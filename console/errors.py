"""Error pages in Chinese for the console, JSON errors for the API."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import BadRequest, HTTPException

from .present import BadDate

MESSAGES = {
    400: "请求无效。", 401: "需要登录或有效的 API 令牌。", 403: "您的角色无权执行此操作。",
    404: "页面或记录不存在。", 405: "不支持该请求方法。", 413: "请求内容过大。",
    429: "请求过于频繁，请稍后再试。", 500: "服务器内部错误，请联系技术支持。",
}


def _handle(exc: HTTPException):  # type: ignore[no-untyped-def]
    code = exc.code or 500
    default_text = type(exc).description
    message = exc.description if exc.description and exc.description != default_text else None
    if request.path == "/api" or request.path.startswith("/api/"):
        response = jsonify({"error": exc.name, "message": message or exc.name})
        response.status_code = code
        if code == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="patrol"'
        return response
    return render_template("error.html", code=code,
                           message=message or MESSAGES.get(code, exc.name)), code


def _bad_date(exc: BadDate):  # type: ignore[no-untyped-def]
    return _handle(BadRequest(description=str(exc)))


def install(app: Flask) -> None:
    app.register_error_handler(HTTPException, _handle)
    app.register_error_handler(BadDate, _bad_date)
