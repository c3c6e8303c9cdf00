"""Promise Keeper: the Chalice app (Chalice deploys the `app` object of this module)."""

from chalicelib.app_factory import create_app, event_handlers

app = create_app()

# Chalice's package points a blueprint's event function at the blueprint's module, which Lambda
# imports without this one: the handler would run without the app's middleware (no log context,
# no metrics flush, no tracing; chalice issue #1566). infra/build.py points each such function at
# its name here instead, where the handler has been bound to the app.
EVENT_HANDLERS = event_handlers(app)
globals().update(EVENT_HANDLERS)
