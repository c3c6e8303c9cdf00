"""Every blueprint the app registers, in one list (app.py stays a few lines)."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.accuracy import accuracy_bp
from chalicelib.api.auth import auth_bp
from chalicelib.api.feedback import feedback_bp
from chalicelib.api.health import health_bp
from chalicelib.api.openapi import openapi_bp
from chalicelib.api.orders import orders_bp
from chalicelib.api.pages.routes import pages_bp
from chalicelib.api.pages.widget import widget_bp
from chalicelib.api.pages.withdrawal import withdrawal_page_bp
from chalicelib.api.promise import promise_bp
from chalicelib.api.rating_page import rating_page_bp
from chalicelib.api.returns import returns_bp
from chalicelib.api.search import search_bp
from chalicelib.api.webhooks import webhooks_bp
from chalicelib.api.withdrawals import withdrawals_bp

BLUEPRINTS: tuple[Blueprint, ...] = (
    auth_bp,
    health_bp,
    promise_bp,
    search_bp,
    accuracy_bp,
    orders_bp,
    returns_bp,
    withdrawals_bp,
    webhooks_bp,
    feedback_bp,
    rating_page_bp,
    pages_bp,
    widget_bp,
    withdrawal_page_bp,
    openapi_bp,
)
