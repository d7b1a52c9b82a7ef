"""Great Expectations suites that gate what reaches the marts (run on DataFrames read from DuckDB)."""
