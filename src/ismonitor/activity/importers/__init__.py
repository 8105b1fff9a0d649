"""The built-in importers, one module per platform; each registers itself on import.

See :data:`ismonitor.activity.registry.BUILTIN_IMPORTERS` for the list, and
docs/formats.md for what each one reads, imports, skips and never stores.
"""
