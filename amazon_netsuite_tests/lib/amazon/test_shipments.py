"""Carrier names and ship methods map to Amazon's carrier codes, or to Other with the name."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from amazon_netsuite.lib.amazon.shipments import CARRIER_CODES, Package, carrier_code

US, CA, UK, DE, JP = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1F83G8C2ARO7P", "A1PA6795UKMFR9", "A1VC38T7YXB528"


@pytest.mark.parametrize("name, marketplace, expected", [
    ("UPS Ground", US, ("UPS", None)),
    ("FedEx Home Delivery", US, ("FedEx", None)),
    ("USPS Priority Mail", US, ("USPS", None)),
    ("royal mail tracked 24", UK, ("Royal Mail", None)),
    ("Deutsche Post", DE, ("Deutsche Post", None)),
    ("DHL Paket", DE, ("DHL", None)),
    ("Hermes", DE, ("Hermes Logistik Gruppe", None)),
    ("Canada Post", CA, ("Canada Post", None)),
    ("Yamato Transport", JP, ("YAMATO", None)),
    ("FedEx", JP, ("FEDEX_JP", None)),
    ("Japan Post", JP, ("JP_EXPRESS", None)),
    ("Speedy Regional Couriers", US, ("Other", "Speedy Regional Couriers")),
    ("Other", US, ("Other", "Other")),
])
def test_a_carrier_name_or_ship_method_maps_to_amazons_code_or_to_other_with_the_name(name, marketplace, expected):
    assert carrier_code(name, marketplace) == expected


def test_every_code_the_mapping_gives_is_in_amazons_list():
    for name in ("UPS", "USPS", "FedEx Ground", "DPD UK", "Colissimo", "Sagawa Express", "Nippon Express"):
        for marketplace in (US, UK, JP):
            assert carrier_code(name, marketplace)[0] in CARRIER_CODES


def test_a_package_is_the_package_detail_amazon_documents():
    package = Package("2", "Other", "TRK1", datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc),
                      {"12345678901234": 2}, carrier_name="Speedy", shipping_method="Next day")
    assert package.to_api() == {
        "packageReferenceId": "2", "carrierCode": "Other", "carrierName": "Speedy", "shippingMethod": "Next day",
        "trackingNumber": "TRK1", "shipDate": "2026-11-20T09:30:00Z",
        "orderItems": [{"orderItemId": "12345678901234", "quantity": 2}]}
