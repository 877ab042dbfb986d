"""Orders API v0 `confirmShipment` and getOrderItems, and Amazon's carrier codes.

https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-reference#confirmshipment: one call per package,
`packageReferenceId` unique within the order (positive numbers only), `carrierCode` required in every marketplace
and matching Seller Central's list exactly; an unlisted carrier is `Other` with its `carrierName`
(https://developer-docs.amazon.com/sp-api/changelog/carriercode-value-required-in-shipment-confirmations-for-br-mx-ca-sg-au-in-jp-marketplaces,
https://github.com/amzn/selling-partner-api-docs/issues/772). 204 on success.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from amazon_netsuite.lib.amazon.client import SpApiClient, iso_utc
from amazon_netsuite.lib.amazon.errors import ErrorItem, InvalidInput, NotFound

OTHER = "Other"
JP_MARKETPLACE = "A1VC38T7YXB528"

# The CarrierCode enumeration of Amazon's feed schema amzn-base.xsd (the MWS XSDs, e.g.
# https://images-na.ssl-images-amazon.com/images/G/01/rainier/help/xsd/release_1_9/amzn-base.xsd), which the
# order fulfillment feed and the API share. Seller Central's drop-down has grown since; codes added there are not
# in this list and go out as Other + name, which Amazon accepts.
CARRIER_CODES: frozenset[str] = frozenset({
    "USPS", "UPS", "UPSMI", "FedEx", "DHL", "Fastway", "GLS", "GO!", "Hermes Logistik Gruppe", "Royal Mail",
    "Parcelforce", "City Link", "TNT", "Target", "SagawaExpress", "NipponExpress", "YamatoTransport",
    "DHL Global Mail", "UPS Mail Innovations", "FedEx SmartPost", "OSM", "OnTrac", "Streamlite", "Newgistics",
    "Canada Post", "Blue Package", "Chronopost", "Deutsche Post", "DPD", "La Poste", "Parcelnet", "Poste Italiane",
    "SDA", "Smartmail", "FEDEX_JP", "JP_EXPRESS", "NITTSU", "SAGAWA", "YAMATO", "BlueDart", "AFL/Fedex", "Aramex",
    "India Post", "Professional", "DTDC", "Overnite Express", "First Flight", "Delhivery", "Lasership", OTHER,
})

# Names a warehouse writes (ship methods, carrier names) → code; keys are squeezed (lower case, letters and digits).
_ALIASES: dict[str, str] = {
    "unitedstatespostalservice": "USPS", "unitedparcelservice": "UPS", "federalexpress": "FedEx",
    "fedexground": "FedEx", "fedexhomedelivery": "FedEx", "fedexexpress": "FedEx", "dhlexpress": "DHL",
    "dhlparcel": "DHL", "dhlpaket": "DHL", "hermes": "Hermes Logistik Gruppe", "hermesgermany": "Hermes Logistik Gruppe",
    "royalmail24": "Royal Mail", "royalmail48": "Royal Mail", "royalmailtracked24": "Royal Mail",
    "royalmailtracked48": "Royal Mail", "dpdgermany": "DPD", "dpduk": "DPD", "dpdfrance": "DPD",
    "colissimo": "La Poste", "japanpost": "JP_EXPRESS", "yamatotransport": "YamatoTransport",
    "sagawaexpress": "SagawaExpress", "nipponexpress": "NipponExpress", "upsmailinnovations": "UPS Mail Innovations",
}
# Japan's marketplace lists its own codes for the same carriers.
_JP_CODES: dict[str, str] = {
    "FedEx": "FEDEX_JP", "YamatoTransport": "YAMATO", "SagawaExpress": "SAGAWA", "NipponExpress": "NITTSU",
}
_SQUEEZED: dict[str, str] = {re.sub(r"[^a-z0-9]", "", c.lower()): c for c in CARRIER_CODES}


def _squeeze(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def carrier_code(ship_method_or_carrier: str, marketplace_id: str) -> tuple[str, str | None]:
    """Amazon's (carrierCode, carrierName) for a carrier or ship method name: a listed code and None, or
    ("Other", the name as given). A ship method such as "UPS Ground" maps through its leading carrier name."""
    name = ship_method_or_carrier.strip()
    key = _squeeze(name)
    code = _ALIASES.get(key) or _SQUEEZED.get(key)
    if code is None:
        # Longest listed code or alias that starts the name: "FedEx Ground" → FedEx, "USPS Priority" → USPS.
        candidates = [(k, c) for k, c in (*_SQUEEZED.items(), *_ALIASES.items()) if len(k) >= 3 and key.startswith(k)]
        code = max(candidates, key=lambda kc: len(kc[0]))[1] if candidates else None
    if code is None or code == OTHER:
        return OTHER, name
    if marketplace_id == JP_MARKETPLACE:
        code = _JP_CODES.get(code, code)
    return code, None


@dataclass(frozen=True)
class Package:
    """One package of a shipment: `items` maps OrderItemId → quantity in this package."""

    package_reference_id: str  # positive number, unique within the order; keep it stable across re-runs
    carrier_code: str
    tracking_number: str
    ship_date: datetime
    items: dict[str, int] = field(default_factory=dict)
    carrier_name: str | None = None  # required when carrier_code is Other
    shipping_method: str | None = None
    ship_from_supply_source_id: str | None = None

    def to_api(self) -> dict:
        """The `PackageDetail` object."""
        body: dict = {
            "packageReferenceId": self.package_reference_id,
            "carrierCode": self.carrier_code,
            "carrierName": self.carrier_name,
            "shippingMethod": self.shipping_method,
            "trackingNumber": self.tracking_number,
            "shipDate": iso_utc(self.ship_date),
            "shipFromSupplySourceId": self.ship_from_supply_source_id,
            "orderItems": [{"orderItemId": i, "quantity": q} for i, q in self.items.items()],
        }
        return {k: v for k, v in body.items() if v is not None}


class ShipmentRefused(Exception):
    """Amazon refused a shipment confirmation (400, or 404 for an order it does not know); `errors` is its list."""

    def __init__(self, order_id: str, package_reference_id: str, status: int, errors: list[ErrorItem],
                 request_id: str | None = None) -> None:
        self.order_id, self.package_reference_id = order_id, package_reference_id
        self.status, self.errors, self.request_id = status, list(errors), request_id
        what = "; ".join(f"{e.code}: {e.message}" + (f" ({e.details})" if e.details else "") for e in self.errors)
        super().__init__(f"confirmShipment of order {order_id} package {package_reference_id} refused "
                         f"(HTTP {status}): {what}")

    @property
    def messages(self) -> list[str]:
        return [e.message for e in self.errors]


class OrdersApi:
    """Orders API v0 over one `SpApiClient`."""

    def __init__(self, client: SpApiClient) -> None:
        self.client = client

    def confirm_shipment(self, order_id: str, marketplace_id: str, package: Package,
                         cod_collection_method: str | None = None) -> None:
        """Confirm one package; the same package sent again is accepted and changes nothing.
        Raises `ShipmentRefused` with Amazon's errors when Amazon refuses it."""
        body: dict = {"marketplaceId": marketplace_id, "packageDetail": package.to_api()}
        if cod_collection_method:
            body["codCollectionMethod"] = cod_collection_method
        try:
            self.client.request("confirmShipment", "POST", f"/orders/v0/orders/{order_id}/shipmentConfirmation",
                                json=body)
        except (InvalidInput, NotFound) as exc:
            raise ShipmentRefused(order_id, package.package_reference_id, exc.status, exc.errors,
                                  exc.request_id) from exc

    def order_items(self, order_id: str) -> list[dict]:
        """Every `OrderItem` of the order (OrderItemId, SellerSKU, QuantityOrdered, QuantityShipped...),
        following NextToken."""
        items: list[dict] = []
        token: str | None = None
        while True:
            response = self.client.request("getOrderItems", "GET", f"/orders/v0/orders/{order_id}/orderItems",
                                           params={"NextToken": token})
            payload = (response.payload or {}).get("payload") or {}
            items.extend(payload.get("OrderItems") or [])
            token = response.next_token
            if not token:
                return items
