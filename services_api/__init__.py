"""services_api: a vetted, private directory of services for sex workers, speaking HSDS 3.0."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from flask import Flask

from services_api import api, cli, db, web
from services_api.config import ConfigError, load_settings


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from the environment, with `config` overriding it (tests pass a mapping)."""
    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get("INSTANCE_PATH") or None
    app = Flask(__name__, instance_path=instance_path)
    try:
        settings = load_settings(config, instance_path=Path(app.instance_path))
    except ConfigError as error:
        if click.get_current_context(silent=True) is None:
            raise
        raise click.ClickException(str(error)) from None  # a `flask` command: the message, no traceback
    app.config.update(settings.as_flask_config())
    app.json.sort_keys = False  # type: ignore[attr-defined]
    db.init_app(app)
    api.init_app(app)
    cli.init_app(app)
    web.init_app(app)
    return app
