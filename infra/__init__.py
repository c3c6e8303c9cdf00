"""Build-time code that turns Chalice's package into a deployable template per stage."""
