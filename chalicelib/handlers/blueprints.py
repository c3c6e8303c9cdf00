"""Every non-HTTP entry point (SQS senders, stream relay, schedules), in one list."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.handlers.notify import notify_bp
from chalicelib.handlers.projections import projections_bp
from chalicelib.handlers.rating_reminders import rating_reminders_bp
from chalicelib.handlers.relay import relay_bp
from chalicelib.handlers.sweep import sweep_bp

HANDLERS: tuple[Blueprint, ...] = (
    relay_bp,
    projections_bp,
    notify_bp,
    sweep_bp,
    rating_reminders_bp,
)
