"""The sandbox's own credentials: what its LWA endpoint and its NetSuite token endpoints accept. Test values that
authenticate against nothing real; the connections use them when no live credential is set."""

from __future__ import annotations

from amazon_netsuite.lib.settings.paths import PROJECT_ROOT

# The sandbox accepts exactly these LWA credentials; the refresh token names the seller account.
SANDBOX_LWA_CLIENT_ID = "amzn1.application-oa2-client.sandbox"
SANDBOX_LWA_CLIENT_SECRET = "amzn1.oa2-cs.v1.sandbox-secret"


def sandbox_refresh_token(seller_account_key: str) -> str:
    """The refresh token the sandbox issues to a seller account of the settings file."""
    return f"Atzr|sandbox|{seller_account_key}"


# The sandbox's OAuth 2.0 M2M identity: its key pair ships with the sandbox (a test key, never a real one).
SANDBOX_NETSUITE_CLIENT_ID = "sandbox-netsuite-integration"
SANDBOX_NETSUITE_CERTIFICATE_ID = "sandbox-m2m-certificate"
SANDBOX_NETSUITE_PRIVATE_KEY = PROJECT_ROOT / "amazon_netsuite" / "sandbox" / "netsuite" / "m2m_private_key.pem"
# The sandbox's Token-Based Auth (OAuth 1.0a) identity: an integration record's consumer key/secret and one access
# token. Sandbox-only values, like the M2M key; they authenticate against nothing real.
SANDBOX_NETSUITE_CONSUMER_KEY = "sandbox-tba-consumer-key"
SANDBOX_NETSUITE_CONSUMER_SECRET = "sandbox-tba-consumer-secret"
SANDBOX_NETSUITE_TOKEN_ID = "sandbox-tba-token-id"
SANDBOX_NETSUITE_TOKEN_SECRET = "sandbox-tba-token-secret"
