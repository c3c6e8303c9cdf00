"""Pydantic models of the public API: requests, responses, problems."""
