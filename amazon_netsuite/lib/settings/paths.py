"""Where the project's files live and where the sandbox answers; each place has an environment variable that
overrides it. The one module that knows the warehouse path."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_SANDBOX_URL = "http://127.0.0.1:8765"


def data_dir() -> Path:
    """Where settings, the warehouse, landed reports and sandbox state live (AMAZON_NETSUITE_DATA_DIR overrides)."""
    return Path(os.environ.get("AMAZON_NETSUITE_DATA_DIR", PROJECT_ROOT / "data"))


def settings_path() -> Path:
    return Path(os.environ.get("AMAZON_NETSUITE_ACCOUNTS", data_dir() / "accounts.yaml"))


def warehouse_path() -> Path:
    """The one place that knows where the DuckDB warehouse lives."""
    return Path(os.environ.get("AMAZON_NETSUITE_WAREHOUSE", data_dir() / "warehouse.duckdb"))


def sandbox_url() -> str:
    return os.environ.get("AMAZON_NETSUITE_SANDBOX_URL", DEFAULT_SANDBOX_URL).rstrip("/")


def sandbox_state_dir() -> Path:
    return Path(os.environ.get("AMAZON_NETSUITE_SANDBOX_DIR", data_dir() / "sandbox"))
