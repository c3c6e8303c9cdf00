"""Promise Keeper: the Chalice app (Chalice deploys the `app` object of this module)."""

from chalicelib.app_factory import create_app

app = create_app()
