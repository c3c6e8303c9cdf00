"""Promise Keeper: the Chalice app (Chalice deploys the `app` object of this module)."""

from chalicelib import init_phase
from chalicelib.app_factory import create_app, event_handlers

app = create_app()

# Chalice's package points a blueprint's event function at the blueprint's module, which Lambda
# imports without this one: the handler would run without the app's middleware (no log context,
# no metrics flush, no tracing; chalice issue #1566). infra/build.py points each such function at
# its name here instead, where the handler has been bound to the app.
EVENT_HANDLERS = event_handlers(app)
globals().update(EVENT_HANDLERS)

# Lambda's init phase has a full vCPU: the API function loads its first quote's needs here
# (chalicelib/init_phase.py); every other importer of `app` loads nothing more.
if init_phase.is_api_function():
    init_phase.prepare_first_quote()
