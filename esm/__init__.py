"""ESM Warehouse: command line, settings, publishing and status."""
