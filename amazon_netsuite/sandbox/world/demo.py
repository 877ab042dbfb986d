"""The demo seller (same shape as data/accounts.yaml), for code that needs a world without a settings file."""

from __future__ import annotations

from amazon_netsuite.lib.settings import Settings


def demo_settings() -> Settings:
    """demo-na (demo-US Amazon.com USD, demo-CA Amazon.ca CAD) and demo-eu (demo-DE Amazon.de and demo-FR Amazon.fr,
    EUR, VAT-inclusive: one EUR settlement covers both, as Amazon's unified EU account has it)."""

    def creds(prefix: str) -> dict[str, str]:
        return {
            "lwa_client_id_env": f"{prefix}_LWA_CLIENT_ID",
            "lwa_client_secret_env": f"{prefix}_LWA_CLIENT_SECRET",
            "refresh_token_env": f"{prefix}_REFRESH_TOKEN",
        }

    return Settings.model_validate(
        {
            "seller_accounts": [
                {
                    "key": "demo-na",
                    "seller_id": "A2DEMOSELLERNA1",
                    "region": "na",
                    "credentials": creds("DEMO_NA"),
                    "storefronts": [
                        {"key": "demo-US", "marketplace_id": "ATVPDKIKX0DER", "currency": "USD",
                         "sales_channel": "Amazon.com"},
                        {"key": "demo-CA", "marketplace_id": "A2EUQ1WTGCTBG2", "currency": "CAD",
                         "sales_channel": "Amazon.ca"},
                    ],
                },
                {
                    "key": "demo-eu",
                    "seller_id": "A2DEMOSELLEREU1",
                    "region": "eu",
                    "credentials": creds("DEMO_EU"),
                    "storefronts": [
                        {"key": "demo-DE", "marketplace_id": "A1PA6795UKMFR9", "currency": "EUR",
                         "sales_channel": "Amazon.de", "prices_include_vat": True},
                        {"key": "demo-FR", "marketplace_id": "A13V1IB3VIYZZH", "currency": "EUR",
                         "sales_channel": "Amazon.fr", "prices_include_vat": True},
                    ],
                },
            ]
        }
    )
