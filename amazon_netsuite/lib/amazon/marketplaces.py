"""Marketplace ids and their countries (https://developer-docs.amazon.com/sp-api/docs/marketplace-ids): reports
that cover a seller account's marketplaces name the country, not the marketplace, on each row."""

MARKETPLACE_COUNTRIES = {
    "A2EUQ1WTGCTBG2": "CA", "ATVPDKIKX0DER": "US", "A1AM78C64UM0Y8": "MX", "A2Q3Y263D00KWC": "BR",
    "A28R8C7NBKEWEA": "IE", "A1RKKUPIHCS9HS": "ES", "A1F83G8C2ARO7P": "GB", "A13V1IB3VIYZZH": "FR",
    "AMEN7PMS3EDWL": "BE", "A1805IZSGTT6HS": "NL", "A1PA6795UKMFR9": "DE", "APJ6JRA9NG5V4": "IT",
    "A2NODRKZP88ZB9": "SE", "AE08WJ6YKNBMC": "ZA", "A1C3SOZRARQ6R3": "PL", "ARBP9OOSHTCHU": "EG",
    "A33AVAJ2PDY3EV": "TR", "A17E79C6D8DWNP": "SA", "A2VIGQ35RCS4UG": "AE", "A21TJRUUN4KGV": "IN",
    "A19VAU5U5O7RUS": "SG", "A39IBJ37TRP1C6": "AU", "A1VC38T7YXB528": "JP",
}


def country_of(marketplace_id: str) -> str | None:
    return MARKETPLACE_COUNTRIES.get(marketplace_id)

# Each marketplace's default language, the `language_tag` of text attributes sent to it (Amazon's locales per
# marketplace: https://developer-docs.amazon.com/sp-api/docs/marketplace-ids). Belgium, Egypt and Saudi Arabia
# accept more than one; the one chosen here is not verified as Amazon's default.
MARKETPLACE_LANGUAGES = {
    "A2EUQ1WTGCTBG2": "en_CA", "ATVPDKIKX0DER": "en_US", "A1AM78C64UM0Y8": "es_MX", "A2Q3Y263D00KWC": "pt_BR",
    "A28R8C7NBKEWEA": "en_IE", "A1RKKUPIHCS9HS": "es_ES", "A1F83G8C2ARO7P": "en_GB", "A13V1IB3VIYZZH": "fr_FR",
    "AMEN7PMS3EDWL": "fr_BE", "A1805IZSGTT6HS": "nl_NL", "A1PA6795UKMFR9": "de_DE", "APJ6JRA9NG5V4": "it_IT",
    "A2NODRKZP88ZB9": "sv_SE", "AE08WJ6YKNBMC": "en_ZA", "A1C3SOZRARQ6R3": "pl_PL", "ARBP9OOSHTCHU": "ar_EG",
    "A33AVAJ2PDY3EV": "tr_TR", "A17E79C6D8DWNP": "ar_SA", "A2VIGQ35RCS4UG": "en_AE", "A21TJRUUN4KGV": "en_IN",
    "A19VAU5U5O7RUS": "en_SG", "A39IBJ37TRP1C6": "en_AU", "A1VC38T7YXB528": "ja_JP",
}


def language_of(marketplace_id: str) -> str:
    return MARKETPLACE_LANGUAGES.get(marketplace_id, "en_US")

# Each marketplace's sales channel (the `sales-channel` of order reports), currency and SP-API region
# (https://developer-docs.amazon.com/sp-api/docs/marketplace-ids, https://developer-docs.amazon.com/sp-api/docs/sp-api-endpoints).
MARKETPLACES: dict[str, tuple[str, str, str]] = {
    "A2EUQ1WTGCTBG2": ("Amazon.ca", "CAD", "na"), "ATVPDKIKX0DER": ("Amazon.com", "USD", "na"),
    "A1AM78C64UM0Y8": ("Amazon.com.mx", "MXN", "na"), "A2Q3Y263D00KWC": ("Amazon.com.br", "BRL", "na"),
    "A28R8C7NBKEWEA": ("Amazon.ie", "EUR", "eu"), "A1RKKUPIHCS9HS": ("Amazon.es", "EUR", "eu"),
    "A1F83G8C2ARO7P": ("Amazon.co.uk", "GBP", "eu"), "A13V1IB3VIYZZH": ("Amazon.fr", "EUR", "eu"),
    "AMEN7PMS3EDWL": ("Amazon.com.be", "EUR", "eu"), "A1805IZSGTT6HS": ("Amazon.nl", "EUR", "eu"),
    "A1PA6795UKMFR9": ("Amazon.de", "EUR", "eu"), "APJ6JRA9NG5V4": ("Amazon.it", "EUR", "eu"),
    "A2NODRKZP88ZB9": ("Amazon.se", "SEK", "eu"), "AE08WJ6YKNBMC": ("Amazon.co.za", "ZAR", "eu"),
    "A1C3SOZRARQ6R3": ("Amazon.pl", "PLN", "eu"), "ARBP9OOSHTCHU": ("Amazon.eg", "EGP", "eu"),
    "A33AVAJ2PDY3EV": ("Amazon.com.tr", "TRY", "eu"), "A17E79C6D8DWNP": ("Amazon.sa", "SAR", "eu"),
    "A2VIGQ35RCS4UG": ("Amazon.ae", "AED", "eu"), "A21TJRUUN4KGV": ("Amazon.in", "INR", "eu"),
    "A19VAU5U5O7RUS": ("Amazon.sg", "SGD", "fe"), "A39IBJ37TRP1C6": ("Amazon.com.au", "AUD", "fe"),
    "A1VC38T7YXB528": ("Amazon.co.jp", "JPY", "fe"),
}
