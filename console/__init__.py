"""The web console: one small app factory, one blueprint per room.

`create_app(settings)` opens the store and the accounts file from the settings; tests pass
their own store, accounts or launcher. Rooms: auth, review, opinion, patrols, search, reports,
api, evidence (console/rooms/).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from findings import Store
from settings import Settings, shipped_path

from . import errors, security
from .context import Services, template_context
from .present import install_filters
from .users import UserStore


def create_app(settings: Settings, store: Store | None = None, users: UserStore | None = None,
               launch: Callable[[Settings, str], Any] | None = None) -> Flask:
    from .rooms import api, auth, evidence, opinion, patrols, reports, review, search

    if store is None:
        from findings.open import store_from_settings

        store = store_from_settings(settings)
    if launch is None:
        from .runner import launch_run_now as launch

    # Templates and static files are package data: found the same way in a checkout and a wheel.
    app = Flask(__name__, root_path=str(shipped_path("console")))
    app.url_map.merge_slashes = False  # no redirect that turns //abs/path into a relative one
    users = users or UserStore.from_settings(settings)
    app.extensions["patrol"] = Services(settings=settings, store=store, users=users, launch=launch)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.jinja_env.autoescape = True  # every template, whatever its file name
    install_filters(app.jinja_env)
    app.context_processor(template_context)
    security.install(app, settings, users)
    errors.install(app)
    for room in (auth, review, opinion, patrols, search, reports, api, evidence):
        app.register_blueprint(room.bp)
    return app
