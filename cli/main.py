"""Entry point of `patrol`: global options, lazy subcommands, one-line errors.

Subcommands live one per module in this package and are imported only when used, so that
`patrol analyze` does not pay for importing Scrapy or Flask.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from dataclasses import dataclass
from typing import Any

import click

from patrols import exit_codes
from settings import ConfigError, Settings, load_settings

# name -> "module:attribute", imported only when the subcommand runs.
SUBCOMMANDS: dict[str, str] = {
    "analyze": "cli.analyze:command",
    "enterprises": "cli.enterprises:command",
    "crawl": "cli.crawl:command",
    "demo": "cli.demo:command",
    "findings": "cli.findings:command",
    "store": "cli.store:command",
    "alerts": "cli.alerts:command",
    "schedule": "cli.schedule:command",
    "serve": "cli.serve:command",
    "users": "cli.users:command",
    "platforms": "cli.platforms:command",
    "tips": "cli.tips:command",
    "config": "cli.config_cmd:command",
    "doctor": "cli.doctor:command",
    "worker": "cli.worker:command",
    "evidence": "cli.evidence:command",
}


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("finance-patrol")
    except PackageNotFoundError:
        return "0.0.0+checkout"


@dataclass
class App:
    """What every subcommand receives: the settings, loaded once, and the global flags."""

    settings: Settings
    debug: bool = False

    def with_options(self, **overrides: Any) -> Settings:
        """Apply a subcommand's options as the command-line layer (None means not given)."""
        self.settings = self.settings.with_overrides(overrides)
        return self.settings


class ExitStatus(click.ClickException):
    """A command's `click.exceptions.Exit(status)`, carried past click to main().

    Without standalone mode click turns that Exit into the return value of `cli.main`, which
    cannot be told from a command's own return value; this exception cannot be mistaken.
    (In standalone mode, as under click's test runner, click exits with the status.)
    """

    def __init__(self, status: int) -> None:
        super().__init__(f"exit status {status}")
        self.status = self.exit_code = status

    def show(self, file: Any = None) -> None:
        """The command has said what went wrong already."""


class LazyGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.exceptions.Exit as exc:
            if exc.exit_code == 0:
                raise
            raise ExitStatus(exc.exit_code) from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attr)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_version(), "--version", prog_name="patrol")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Site configuration file (also PATROL_CONFIG).")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
              help="Override one setting (repeatable).")
@click.option("--data-dir", help="Directory for everything the program writes.")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.pass_context
def cli(ctx: click.Context, config_file: str | None, sets: tuple[str, ...],
        data_dir: str | None, debug: bool) -> None:
    """网络金融风险巡查系统 (internet-finance risk patrol)."""
    overrides: dict[str, Any] = {}
    for item in sets:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint="--set")
        overrides[key.strip()] = value
    if data_dir:
        overrides["data_dir"] = data_dir
    settings = load_settings(config_file, environ=os.environ, overrides=overrides)
    level = "DEBUG" if debug else settings["log_level"]
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    ctx.obj = App(settings=settings, debug=debug)


def main(argv: list[str] | None = None) -> None:
    """Run the command; without --debug any failure is one line on stderr and exit status 1.

    Exit statuses are those of patrols.exit_codes; a command's `click.exceptions.Exit(N)`
    reaches here as ExitStatus (see there).
    """
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="patrol", standalone_mode=False)
    except ExitStatus as exc:
        sys.exit(exc.status)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("patrol: aborted", err=True)
        sys.exit(exit_codes.INTERRUPTED)
    except click.ClickException as exc:
        click.echo(f"patrol: error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except ConfigError as exc:
        if debug:
            raise
        click.echo(f"patrol: error: {exc}", err=True)
        sys.exit(exit_codes.USAGE)
    except KeyboardInterrupt:
        sys.exit(exit_codes.INTERRUPTED)
    except Exception as exc:  # noqa: BLE001 - the promise is one line, never a traceback
        if debug:
            raise
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        click.echo(f"patrol: error: {message} ({type(exc).__name__}; --debug shows more)",
                   err=True)
        sys.exit(exit_codes.for_exception(exc))
    sys.exit(exit_codes.OK)


if __name__ == "__main__":
    main()
