"""The `quota` command: show or change the free-article meter."""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from tui_reader.cli.common import (
    EXIT_OK,
    UserError,
    make_meter,
    warn,
)
from tui_reader.config import Config
from tui_reader.library.store import Store


def cmd_quota(store: Store, config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """Show or change the meter."""
    meter = make_meter(store, config)
    action = args.quota_command
    if action == "subscribe":
        meter.set_subscribed(True)
    elif action == "unsubscribe":
        meter.set_subscribed(False)
    elif action == "reset":
        meter.reset()
    elif action == "limit":
        try:
            meter.set_limit(args.n)
        except ValueError as exc:
            raise UserError(str(exc)) from None
        if config.meter_limit is not None:
            warn(f"{config.path} sets meter.limit = {config.meter_limit}, which takes precedence")
    elif action == "period":
        try:
            meter.set_period(args.days)
        except ValueError as exc:
            raise UserError(str(exc)) from None
        if config.meter_period_days is not None:
            warn(
                f"{config.path} sets meter.period_days = {config.meter_period_days},"
                " which takes precedence"
            )
    state = meter.state()
    if args.json:
        json.dump(state.to_json(), out)
        out.write("\n")
    else:
        out.write(f"{state.message()}\n")
        out.write(
            f"limit {state.limit} per {state.period_days} days, {state.used} used,"
            f" {'subscribed' if state.subscribed else 'not subscribed'}\n"
        )
    return EXIT_OK
