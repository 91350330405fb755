"""Entry point of `patrol`: global options, lazy subcommands, one-line errors.

Subcommands live one per module in this package and are imported only when used, so that
`patrol analyze` does not pay for importing Scrapy or Flask.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from dataclasses import dataclass, field
from typing import Any

import click

from settings import ConfigError, Settings, load_settings

# name -> "module:attribute". A module that is not written yet shows as unavailable in --help.
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
    "config": "cli.config_cmd:command",
    "doctor": "cli.doctor:command",
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
    extra: dict[str, Any] = field(default_factory=dict)

    def with_options(self, **overrides: Any) -> Settings:
        """Apply a subcommand's options as the command-line layer (None means not given)."""
        self.settings = self.settings.with_overrides(overrides)
        return self.settings


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            return _unavailable(name)
        return getattr(module, attr)


def _unavailable(name: str) -> click.Command:
    @click.command(name=name, help="(not available in this version)")
    def cmd() -> None:
        raise click.ClickException(f"'patrol {name}' is not available in this version")

    return cmd


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
    """Run the command; without --debug any failure is one line on stderr and exit status 1."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        # Without standalone mode click *returns* the code of a raised Exit(n) instead of
        # exiting: pass it on, or `raise Exit(1)` in a command would end with status 0.
        code = cli.main(args=args, prog_name="patrol", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("patrol: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        click.echo(f"patrol: error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except ConfigError as exc:
        if debug:
            raise
        click.echo(f"patrol: error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the promise is one line, never a traceback
        if debug:
            raise
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        click.echo(f"patrol: error: {message} ({type(exc).__name__}; --debug shows more)",
                   err=True)
        sys.exit(1)
    sys.exit(0)


if __name__ == "__main__":
    main()
