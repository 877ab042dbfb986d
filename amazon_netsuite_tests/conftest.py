"""Shared fixtures: a real sandbox over HTTP, and a project environment isolated under tmp_path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from amazon_netsuite.lib.settings import load_settings

REPO = Path(__file__).resolve().parents[1]
DEMO_SETTINGS = REPO / "data" / "accounts.yaml"
# Amazon's official Reports API model, kept in the repository (spapi_models/README.md says where it comes from).
SPAPI_MODELS = Path(os.environ.get("AMAZON_NETSUITE_SPAPI_MODELS", Path(__file__).parent / "spapi_models"))
REPORTS_MODEL = SPAPI_MODELS / "reports_2021-06-30.json"
FEEDS_MODEL = SPAPI_MODELS / "feeds_2021-06-30.json"
LISTINGS_MODEL = SPAPI_MODELS / "listingsItems_2021-08-01.json"
FEED_REPORT_SCHEMA = SPAPI_MODELS / "listings-feed-processing-report-schema-v2.json"

# Tests never see a developer's real credentials: they always run against the sandbox.
for _account in (*load_settings(DEMO_SETTINGS).seller_accounts, *load_settings(DEMO_SETTINGS).vendor_accounts):
    for _name in _account.credentials.env_names():
        os.environ.pop(_name, None)


def start_sandbox(state_dir: Path, **overrides):
    """A sandbox on a free loopback port with test-friendly timing (fast reports, generous usage plans)."""
    from amazon_netsuite.sandbox.config import SandboxConfig
    from amazon_netsuite.sandbox.server import start_in_thread

    options = dict(orders_per_day=25, history_days=10, report_delay_seconds=0.2, rate_scale=200.0)
    options.update(overrides)
    return start_in_thread(SandboxConfig(settings=load_settings(DEMO_SETTINGS), state_dir=state_dir, **options), port=0)


@pytest.fixture(scope="session")
def shared_sandbox(tmp_path_factory):
    """One sandbox for tests that only read from it (faults stay off)."""
    with start_sandbox(tmp_path_factory.mktemp("sandbox")) as running:
        yield running


@pytest.fixture
def own_sandbox(tmp_path):
    """A sandbox of this test alone, for tests that turn fault knobs or need a clean report history."""
    with start_sandbox(tmp_path / "sandbox") as running:
        yield running


@pytest.fixture(scope="module")
def module_sandbox(tmp_path_factory):
    """A sandbox of one test module, for tests that change its NetSuite records (a location deleted)."""
    with start_sandbox(tmp_path_factory.mktemp("sandbox")) as running:
        yield running


@pytest.fixture
def settings_copy(tmp_path, monkeypatch, module_sandbox) -> Path:
    """A copy of the demo settings file as the project's settings file, the project pointed at the module's
    sandbox, and a warehouse under tmp_path."""
    import shutil

    path = tmp_path / "accounts.yaml"
    shutil.copy(DEMO_SETTINGS, path)
    monkeypatch.setenv("AMAZON_NETSUITE_ACCOUNTS", str(path))
    monkeypatch.setenv("AMAZON_NETSUITE_SANDBOX_URL", module_sandbox.url)
    monkeypatch.setenv("AMAZON_NETSUITE_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    return path


def demo_settings_for(keep) -> dict:
    """The demo settings file as data, cut to the storefronts whose key `keep(key)` accepts (a seller account left
    without one is dropped), with every per-storefront setting (`pricing.storefronts`, ...) cut to them too."""
    import yaml

    settings = yaml.safe_load(DEMO_SETTINGS.read_text(encoding="utf-8"))
    for account in settings["seller_accounts"]:
        account["storefronts"] = [s for s in account["storefronts"] if keep(s["key"])]
    settings["seller_accounts"] = [a for a in settings["seller_accounts"] if a["storefronts"]]
    for section in ("pricing", "listings", "inventory", "order_posting"):
        named = (settings.get(section) or {}).get("storefronts") or {}
        for key in [k for k in named if not keep(k)]:
            del named[key]
    return settings


def _project_env(monkeypatch, tmp_path: Path, sandbox_url: str) -> Path:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    monkeypatch.setenv("AMAZON_NETSUITE_DATA_DIR", str(data))
    monkeypatch.setenv("AMAZON_NETSUITE_ACCOUNTS", str(DEMO_SETTINGS))
    monkeypatch.setenv("AMAZON_NETSUITE_SANDBOX_URL", sandbox_url)
    monkeypatch.delenv("AMAZON_NETSUITE_WAREHOUSE", raising=False)
    return data


@pytest.fixture
def project(monkeypatch, tmp_path, shared_sandbox):
    """The project pointed at the shared sandbox, with its warehouse and landed reports under tmp_path."""
    return _project_env(monkeypatch, tmp_path, shared_sandbox.url)


@pytest.fixture
def isolated_project(monkeypatch, tmp_path, own_sandbox):
    _project_env(monkeypatch, tmp_path, own_sandbox.url)
    return own_sandbox


def definitions_with_flows(flows: dict[str, bool]):
    """The code location as it loads when the demo settings switch `flows` as given (built in this process)."""
    from amazon_netsuite.definitions import build_definitions
    from amazon_netsuite.lib.settings import Flows

    settings = load_settings(DEMO_SETTINGS)
    return build_definitions(settings.model_copy(update={"flows": Flows(**flows)}))
