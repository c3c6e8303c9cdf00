"""Every non-HTTP entry point (SQS senders, stream relay, schedules), in one list."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.handlers.sweep import sweep_bp

HANDLERS: tuple[Blueprint, ...] = (sweep_bp,)
