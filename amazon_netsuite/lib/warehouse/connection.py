"""Opening the warehouse file, and one transaction on it.

DuckDB allows one read-write process per file (https://github.com/dagster-io/dagster/issues/16248). Dagster
serialises our steps through the `duckdb` pool, but a CLI query or an analyst's notebook can still hold the lock for
a moment, so opening retries briefly before giving up with a message that says who to look for.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
from tenacity import retry, retry_if_exception_type, stop_after_delay, wait_exponential

from amazon_netsuite.lib.settings import warehouse_path


@retry(
    retry=retry_if_exception_type(duckdb.IOException),
    wait=wait_exponential(multiplier=0.05, max=2),
    stop=stop_after_delay(30),
    reraise=True,
)
def _open(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=read_only)


@contextmanager
def connect(path: str | Path | None = None, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection to the warehouse (the configured file unless `path` is given)."""
    path = Path(path) if path else warehouse_path()
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.exists():
        raise FileNotFoundError(f"warehouse {path} does not exist yet; run `amazon-netsuite sync` first")
    try:
        con = _open(path, read_only)
    except duckdb.IOException as exc:
        raise duckdb.IOException(
            f"could not open the warehouse {path}: {exc}. Another process holds it; close notebooks or CLI "
            "sessions that have it open, or wait for the running Dagster step to finish."
        ) from exc
    try:
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One DuckDB transaction: committed when the block ends, rolled back (and re-raised) when it raises."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def fetch_arrow(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pa.Table:
    """Run a query and return Arrow, which keeps DECIMAL columns exact (never float)."""
    return con.sql(sql, params=params or None).to_arrow_table()


def fetch_df(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    """A query as pandas with Arrow-backed dtypes: money stays `decimal128`, not float64."""
    return fetch_arrow(con, sql, params).to_pandas(types_mapper=pd.ArrowDtype)
