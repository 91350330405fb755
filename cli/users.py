"""`patrol users`: console accounts (add, list, password, role, disable) and API tokens."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from common.vocabulary import ROLE_IDS
from console.roles import role_name
from console.users import UserError, UserStore


@contextmanager
def _users(app, must_exist: str | None = None) -> Iterator[UserStore]:  # type: ignore[no-untyped-def]
    """The account store, closed afterwards; a UserError becomes a one-line error. With
    `must_exist`, that account must be there."""
    users = UserStore.from_settings(app.settings)
    try:
        if must_exist is not None and users.get(must_exist) is None:
            raise UserError(f"没有用户 {must_exist}")
        yield users
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        users.close()


def _password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")


@click.group(name="users")
def command() -> None:
    """控制台账号与 API 令牌 (console accounts and API tokens)."""


@command.command(name="add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLE_IDS),
              help="support, commerce, opinion, finance or admin.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_obj
def add(app, name: str, role: str, password_stdin: bool) -> None:  # type: ignore[no-untyped-def]
    """Add a console account (the password is asked, hidden, twice)."""
    with _users(app) as users:
        if users.get(name) is not None:
            raise UserError(f"用户 {name} 已存在")
        users.add(name, role, _password(password_stdin))
    click.echo(f"已添加用户 {name}（{role_name(app.settings, role)}）")


@command.command(name="list")
@click.pass_obj
def list_users(app) -> None:  # type: ignore[no-untyped-def]
    """List console accounts."""
    with _users(app) as users:
        rows = users.list()
    if not rows:
        click.echo("还没有账号。")
        return
    for user in rows:
        state = "（已停用）" if user.disabled else ""
        click.echo(f"{user.name}\t{user.role}\t{role_name(app.settings, user.role)}{state}")


@command.command(name="passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_obj
def passwd(app, name: str, password_stdin: bool) -> None:  # type: ignore[no-untyped-def]
    """Set a new password for an account."""
    with _users(app) as users:
        users.set_password(name, _password(password_stdin))
    click.echo(f"已修改 {name} 的密码")


@command.command(name="role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLE_IDS))
@click.pass_obj
def set_role(app, name: str, role: str) -> None:  # type: ignore[no-untyped-def]
    """Change an account's role."""
    with _users(app, must_exist=name) as users:
        users.set_role(name, role)
    click.echo(f"{name} 的角色改为 {role_name(app.settings, role)}")


@command.command(name="disable")
@click.argument("name")
@click.option("--enable", is_flag=True, help="Enable the account again.")
@click.pass_obj
def disable(app, name: str, enable: bool) -> None:  # type: ignore[no-untyped-def]
    """Disable (or --enable) an account; a disabled account's sessions and tokens stop working."""
    with _users(app, must_exist=name) as users:
        users.set_disabled(name, not enable)
    click.echo(f"已{'启用' if enable else '停用'} {name}")


@command.command(name="token")
@click.argument("name")
@click.option("--revoke", is_flag=True, help="Revoke all of the account's tokens instead.")
@click.pass_obj
def token(app, name: str, revoke: bool) -> None:  # type: ignore[no-untyped-def]
    """Issue an API token for NAME (printed once; use as Authorization: Bearer TOKEN)."""
    with _users(app) as users:
        if revoke:
            count = users.revoke_tokens(name)
            click.echo(f"已吊销 {name} 的 {count} 个令牌", err=True)
            return
        value = users.issue_token(name)
    click.echo("新的 API 令牌（只显示这一次）：", err=True)
    click.echo(value)


@command.command(name="logout")
@click.argument("name")
@click.pass_obj
def logout(app, name: str) -> None:  # type: ignore[no-untyped-def]
    """End every console session of NAME at once (e.g. a lost laptop)."""
    with _users(app, must_exist=name) as users:
        count = users.end_sessions(name)
    click.echo(f"已结束 {name} 的 {count} 个会话")


@command.command(name="rotate-key")
@click.pass_obj
def rotate_key(app) -> None:  # type: ignore[no-untyped-def]
    """Make a new console signing key; the previous one still verifies sessions until the next
    rotation, so nobody is logged out. Restart the console to use it."""
    from console.security import rotate_secret_key

    if app.settings["console_secret_key"]:
        raise click.ClickException("console_secret_key 已在配置中设定：请在配置中更换密钥")
    rotate_secret_key(app.settings)
    click.echo("已生成新的控制台签名密钥；重启控制台后生效，旧密钥在下次轮换前仍可验证现有会话。")
