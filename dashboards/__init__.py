"""Streamlit dashboards of ESM Warehouse (read the published warehouse only)."""
