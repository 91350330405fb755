"""`patrol serve`: start the web console."""

from __future__ import annotations

import logging

import click

log = logging.getLogger(__name__)


@click.command(name="serve")
@click.option("--host", default=None, help="Address to listen on (setting console_host).")
@click.option("--port", type=int, default=None, help="Port to listen on (setting console_port).")
@click.pass_obj
def command(app, host: str | None, port: int | None) -> None:  # type: ignore[no-untyped-def]
    """启动网页控制台 (start the web console)."""
    from werkzeug.serving import make_server

    from console import create_app

    settings = app.with_options(console_host=host, console_port=port)
    flask_app = create_app(settings)
    server = make_server(settings["console_host"], settings["console_port"], flask_app,
                         threaded=True)
    host_shown, port_shown = server.server_address[:2]
    click.echo(f"控制台已启动：http://{host_shown}:{port_shown}/ （Ctrl+C 停止）")
    users = flask_app.extensions["patrol"].users
    if not users.list():
        click.echo("还没有账号：请先运行 patrol users add 用户名 --role admin", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        flask_app.extensions["patrol"].store.close()
        click.echo("控制台已停止。")
