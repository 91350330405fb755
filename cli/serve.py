"""`patrol serve`: start the web console."""

from __future__ import annotations

import logging
import signal

import click

log = logging.getLogger(__name__)


@click.command(name="serve")
@click.option("--host", default=None, help="Address to listen on (setting console_host).")
@click.option("--port", type=int, default=None, help="Port to listen on (setting console_port).")
@click.pass_obj
def command(app, host: str | None, port: int | None) -> None:  # type: ignore[no-untyped-def]
    """启动网页控制台 (start the web console)."""
    # waitress, not werkzeug's development server: a console that officers use all day
    # behind the city's reverse proxy needs a production WSGI server.
    from console import create_app
    from console.server import make_server

    settings = app.with_options(console_host=host, console_port=port)
    flask_app = create_app(settings)
    server = make_server(flask_app, settings, settings["console_host"], settings["console_port"])
    host_shown, port_shown = server.effective_host, server.effective_port
    click.echo(f"控制台已启动：http://{host_shown}:{port_shown}/ （Ctrl+C 停止）")
    users = flask_app.extensions["patrol"].users
    if not users.list():
        click.echo("还没有账号：请先运行 patrol users add 用户名 --role admin", err=True)
    signal.signal(signal.SIGTERM, lambda *_: server.close())
    try:
        server.run()
    except (KeyboardInterrupt, OSError):
        pass
    finally:
        server.close()
        flask_app.extensions["patrol"].store.close()
        click.echo("控制台已停止。")
