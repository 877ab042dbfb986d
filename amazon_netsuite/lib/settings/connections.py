"""Live or sandbox: the endpoints and credentials each client uses, resolved from the settings and the environment.
Credentials never live in the settings file: each seller account and the NetSuite account name the environment
variables that hold them, and when none is set the project runs against the embedded sandbox."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from amazon_netsuite.lib.settings.models import Settings, SettingsError
from amazon_netsuite.lib.settings.paths import DEFAULT_SANDBOX_URL, settings_path
from amazon_netsuite.lib.settings.sandbox_credentials import (
    SANDBOX_LWA_CLIENT_ID,
    SANDBOX_LWA_CLIENT_SECRET,
    SANDBOX_NETSUITE_CERTIFICATE_ID,
    SANDBOX_NETSUITE_CLIENT_ID,
    SANDBOX_NETSUITE_PRIVATE_KEY,
    sandbox_refresh_token,
)

# Real SP-API hosts and the LWA token endpoint (the Selling Partner API Developer Guide,
# https://github.com/amzn/selling-partner-api-docs guides/en-US/developer-guide/SellingPartnerApiDeveloperGuide.md).
# A settings file may override each one.
LIVE_SP_API_ENDPOINTS: dict[str, str] = {
    "na": "https://sellingpartnerapi-na.amazon.com",
    "eu": "https://sellingpartnerapi-eu.amazon.com",
    "fe": "https://sellingpartnerapi-fe.amazon.com",
}
LIVE_LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"


class AmazonConnection(BaseModel):
    """Everything a client needs to talk to SP-API for one seller account, live or sandbox."""

    model_config = ConfigDict(frozen=True)

    seller_account: str
    endpoint: str
    lwa_token_url: str
    client_id: str
    client_secret: str = Field(repr=False)
    refresh_token: str = Field(repr=False)
    sandbox: bool


def _credentials_present(names: list[str], env, where: str) -> bool:
    """True when every named variable is set, False when none is; a partial set is an error naming the gaps."""
    present = [n for n in names if env.get(n)]
    if present and len(present) != len(names):
        missing = [n for n in names if not env.get(n)]
        raise SettingsError(
            f"{settings_path()}: {where}: {', '.join(present)} set but {', '.join(missing)} missing; "
            "set all or none"
        )
    return bool(present)


def is_sandbox_mode(settings: Settings, environ: dict[str, str] | None = None) -> bool:
    """Sandbox mode when no seller account has any credential set; partial credentials are an error, and so is
    Amazon on one side of the sandbox and NetSuite on the other (`check_one_world`)."""
    env = os.environ if environ is None else environ
    sandbox = _amazon_sandbox_mode(settings, env)
    check_one_world(settings, env, amazon_sandbox=sandbox)
    return sandbox


def _amazon_sandbox_mode(settings: Settings, env) -> bool:
    set_any = False
    accounts = [("seller_accounts", a) for a in settings.seller_accounts] + \
        [("vendor_accounts", v) for v in settings.vendor_accounts]
    for where, account in accounts:
        present = _credentials_present(account.credentials.env_names(), env, f"{where}.{account.key}.credentials")
        set_any = set_any or present
    if set_any:
        # An inactive account (a clone being set up) may wait for its credentials; nothing runs for it.
        unset = [a.key for _, a in accounts if a.active and not env.get(a.credentials.refresh_token_env)]
        if unset:
            raise SettingsError(
                f"live mode: credentials are set for some accounts but not for {', '.join(unset)}; "
                "set them, or remove those accounts from the settings file (or set `active: false` on them)"
            )
    return not set_any


def amazon_connection(settings: Settings, seller_account_key: str, environ: dict[str, str] | None = None) -> AmazonConnection:
    """Resolve the base URL, token URL and credentials of one seller or vendor account."""
    env = os.environ if environ is None else environ
    account = settings.amazon_account(seller_account_key)
    if is_sandbox_mode(settings, env):
        base = env.get("AMAZON_NETSUITE_SANDBOX_URL", DEFAULT_SANDBOX_URL).rstrip("/")
        return AmazonConnection(
            seller_account=account.key,
            endpoint=base,
            lwa_token_url=f"{base}/auth/o2/token",
            client_id=SANDBOX_LWA_CLIENT_ID,
            client_secret=SANDBOX_LWA_CLIENT_SECRET,
            refresh_token=sandbox_refresh_token(account.key),
            sandbox=True,
        )
    creds = account.credentials
    missing = [name for name in creds.env_names() if not env.get(name)]
    if missing:
        raise SettingsError(f"live mode: account {account.key} has no credentials ({', '.join(missing)} unset); "
                            "set them before running anything for it")
    return AmazonConnection(
        seller_account=account.key,
        endpoint=settings.amazon.sp_api.get(account.region, LIVE_SP_API_ENDPOINTS[account.region]),
        lwa_token_url=settings.amazon.lwa_token_url or LIVE_LWA_TOKEN_URL,
        client_id=env[creds.lwa_client_id_env],
        client_secret=env[creds.lwa_client_secret_env],
        refresh_token=env[creds.refresh_token_env],
        sandbox=False,
    )


class NetSuiteConnection(BaseModel):
    """Everything the NetSuite client needs: base URL, token URL, realm and credentials, live or sandbox."""

    model_config = ConfigDict(frozen=True)

    account_id: str
    realm: str  # TBA realm: account id upper-case with underscore (1234567_SB1)
    base_url: str  # ends before /services/rest
    token_url: str
    auth: Literal["oauth2", "tba"]
    client_id: str | None = None
    certificate_id: str | None = None
    private_key_pem: str | None = Field(None, repr=False)
    consumer_key: str | None = None
    consumer_secret: str | None = Field(None, repr=False)
    token_id: str | None = None
    token_secret: str | None = Field(None, repr=False)
    concurrency_limit: int = 5
    sandbox: bool

    @property
    def ledger_account(self) -> str:
        """The account the posting ledger files records under: the realm (`1234567_SB1`), or `sandbox`. A record
        posted to one account is not posted in another, so switching accounts posts everything again."""
        return "sandbox" if self.sandbox else self.realm


def netsuite_host(account_id: str) -> str:
    """`1234567_SB1` → `https://1234567-sb1.suitetalk.api.netsuite.com` (host lower-case with a hyphen)."""
    return f"https://{account_id.lower().replace('_', '-')}.suitetalk.api.netsuite.com"


def _netsuite_credential_names(settings: Settings) -> list[str]:
    creds = settings.netsuite.credentials
    if settings.netsuite.auth == "oauth2":
        return [creds.client_id_env, creds.certificate_id_env, creds.private_key_path_env]
    return [creds.consumer_key_env, creds.consumer_secret_env, creds.token_id_env, creds.token_secret_env]


def _netsuite_live(settings: Settings, env) -> bool:
    return _credentials_present(_netsuite_credential_names(settings), env,
                                f"netsuite.credentials ({settings.netsuite.auth})")


def check_one_world(settings: Settings, environ: dict[str, str] | None = None, *,
                    amazon_sandbox: bool | None = None) -> None:
    """Refuse live Amazon with the NetSuite sandbox (real orders would post to loopback and the ledger would call
    them posted) and the Amazon sandbox with a live NetSuite account (generated orders would post to the real
    books), unless the settings say `allow_mixed_sandbox: true`."""
    env = os.environ if environ is None else environ
    if settings.allow_mixed_sandbox:
        return
    amazon_sandbox = _amazon_sandbox_mode(settings, env) if amazon_sandbox is None else amazon_sandbox
    netsuite_live = _netsuite_live(settings, env)
    if not amazon_sandbox and not netsuite_live:
        live = ", ".join(a.key for a in settings.seller_accounts if a.active)
        raise SettingsError(
            f"{settings_path()}: live Amazon credentials are set (seller accounts {live}) but no NetSuite "
            f"credentials ({', '.join(_netsuite_credential_names(settings))} for netsuite.auth "
            f"{settings.netsuite.auth}): real orders would be posted to the loopback NetSuite sandbox and recorded "
            "as posted. Set the NetSuite credentials, or set `allow_mixed_sandbox: true` in the settings file to "
            "post to the sandbox on purpose.")
    if amazon_sandbox and netsuite_live:
        names = settings.seller_accounts[0].credentials.env_names()
        raise SettingsError(
            f"{settings_path()}: NetSuite credentials are set (account {settings.netsuite.account_id}) but no seller "
            f"account has Amazon credentials (e.g. {', '.join(names)}): the sandbox's generated orders would be "
            "posted to that NetSuite account. Set the seller accounts' credentials, or set "
            "`allow_mixed_sandbox: true` in the settings file to post sandbox orders there on purpose.")


def netsuite_connection(settings: Settings, environ: dict[str, str] | None = None) -> NetSuiteConnection:
    """Live when the credentials of the configured auth method are in the environment, else the sandbox; a live
    side facing a sandbox side is refused (`check_one_world`)."""
    env = os.environ if environ is None else environ
    ns = settings.netsuite
    creds = ns.credentials
    check_one_world(settings, env)
    if not _netsuite_live(settings, env):
        base = env.get("AMAZON_NETSUITE_SANDBOX_URL", DEFAULT_SANDBOX_URL).rstrip("/")
        return NetSuiteConnection(
            account_id=ns.account_id,
            realm=ns.account_id.upper(),
            base_url=base,
            token_url=f"{base}/services/rest/auth/oauth2/v1/token",
            auth="oauth2",
            client_id=SANDBOX_NETSUITE_CLIENT_ID,
            certificate_id=SANDBOX_NETSUITE_CERTIFICATE_ID,
            private_key_pem=SANDBOX_NETSUITE_PRIVATE_KEY.read_text() if SANDBOX_NETSUITE_PRIVATE_KEY.exists() else None,
            concurrency_limit=ns.concurrency_limit,
            sandbox=True,
        )
    base = (ns.base_url or netsuite_host(ns.account_id)).rstrip("/")
    common = dict(
        account_id=ns.account_id,
        realm=ns.account_id.upper(),
        base_url=base,
        token_url=f"{base}/services/rest/auth/oauth2/v1/token",
        auth=ns.auth,
        concurrency_limit=ns.concurrency_limit,
        sandbox=False,
    )
    if ns.auth == "oauth2":
        return NetSuiteConnection(
            **common,
            client_id=env[creds.client_id_env],
            certificate_id=env[creds.certificate_id_env],
            private_key_pem=Path(env[creds.private_key_path_env]).read_text(),
        )
    return NetSuiteConnection(
        **common,
        consumer_key=env[creds.consumer_key_env],
        consumer_secret=env[creds.consumer_secret_env],
        token_id=env[creds.token_id_env],
        token_secret=env[creds.token_secret_env],
    )
