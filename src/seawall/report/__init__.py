"""Renderers of the report model (table, json, sarif, ...); see ``interface``."""
