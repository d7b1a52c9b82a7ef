"""The Dagster code location of ESM Warehouse."""
