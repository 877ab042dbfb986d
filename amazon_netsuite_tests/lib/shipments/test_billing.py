"""Billing on fulfilment (`billing.bill_shipped_orders`) through the NetSuite sandbox over HTTP: the orders are
posted as Sales Orders and shipped there (item fulfillments on given days), the day's packages read as the
shipments flow reads them, then each fully shipped Sales Order is invoiced once, dated its last ship day; a partly
shipped one waits; one a settlement or refund billed first is left to it, and the settlement pays the invoice billed
on fulfilment rather than billing again."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from amazon_netsuite.lib.orders.posting import SALES_ORDER
from amazon_netsuite.lib.shipments.billing import bill_shipped_orders
from amazon_netsuite.lib.shipments.run import load_shipped_packages
from amazon_netsuite_tests.lib.settlements.settlement_builder import fee, line, settlement_text
from amazon_netsuite_tests.lib.settlements.settlement_warehouse import (  # noqa: F401 (fixtures)
    SETTINGS,
    client,
    sandbox,
    warehouse,
)
from amazon_netsuite_tests.lib.settlements.test_posting_transactional import (
    _gl,
    _post,
    _posted,
    _transactions,
    mapping,  # noqa: F401 (fixture)
)

D = Decimal
STOREFRONT = "demo-US"
NOW = datetime(2026, 10, 31, 12, tzinfo=timezone.utc)


def _ship(client, sales_order: str, day: date, quantity: int | None = None, status: str = "C") -> str:
    """An item fulfillment of the Sales Order dated `day` (of `quantity` units of its first line; None: all that is
    left), Shipped unless `status` says Picked (A) or Packed (B)."""
    body = {"tranDate": day.isoformat(), "shipStatus": {"id": status}}
    if quantity is not None:
        body["item"] = {"items": [{"orderLine": 1, "quantity": quantity}]}
    return client.transform("salesOrder", sales_order, "itemFulfillment", body,
                            replace="item" if quantity is not None else None)


def _bill(warehouse, client, day: date, settings=SETTINGS):
    with warehouse.connect() as con:
        load_shipped_packages(con, client, STOREFRONT, day, NOW)
    return bill_shipped_orders(warehouse.connect, client, settings, STOREFRONT, day, NOW)


def _billing_off(settings):
    posting = settings.order_posting.model_copy(update={"bill_on_fulfilment": False})
    return settings.model_copy(update={"order_posting": posting})


def test_a_sales_order_shipped_in_two_parts_is_billed_once_dated_its_last_ship_day_and_a_rerun_bills_nothing(
        warehouse, client):
    order = "113-8000001-0000001"
    so = _posted(client, warehouse, SALES_ORDER, order, "MUG-CAFE-WHITE", 2, "14.99", shippingCost="4.99")
    first, last = date(2026, 9, 29), date(2026, 9, 30)
    _ship(client, so, first, quantity=1)

    partly = _bill(warehouse, client, first)

    assert partly.billed == []
    assert partly.waiting == [f"order {order}: its Sales Order is Pending Billing/Partially Fulfilled"]
    assert _transactions(client, f"AMZ-{STOREFRONT}-{order}-INV") == {}

    _ship(client, so, last)
    whole = _bill(warehouse, client, last)

    eid = f"AMZ-{STOREFRONT}-{order}-INV"
    invoice = client.rows("SELECT id, type, TO_CHAR(trandate, 'YYYY-MM-DD') AS day, foreigntotal FROM transaction "
                          "WHERE externalid = ?", [eid])
    assert [(r["type"], r["day"], D(r["foreigntotal"])) for r in invoice] == [("CustInvc", "2026-09-30", D("34.97"))]
    assert [(r["amazon_order_id"], r["sales_order_id"], r["invoice_id"], r["invoice_external_id"], r["tran_date"],
             r["amount"]) for r in whole.billed] == [(order, so, str(invoice[0]["id"]), eid, last, D("34.97"))]
    assert warehouse.rows("SELECT storefront, day, amazon_order_id, invoice_external_id, tran_date, amount, billed_at "
                          "FROM sales_orders_billed") == [
        (STOREFRONT, last, order, eid, last, D("34.97"), NOW.replace(tzinfo=None))]
    # Revenue (sales and shipping) and the receivable, on the day it shipped.
    assert _gl(client, eid) == {"ACCT-AR": D("-34.97"), "ACCT-SALES": D("29.98"), "ACCT-SHIPPING-INCOME": D("4.99")}
    assert warehouse.rows("SELECT flow, key, record_type, external_id, status FROM netsuite_postings "
                          "WHERE flow = 'shipments'") == [("shipments", f"invoice:{order}", "invoice", eid, "posted")]

    writes = sum(client.writes.values())
    again = [_bill(warehouse, client, day) for day in (first, last)]
    assert sum(client.writes.values()) == writes
    assert [(r.billed, r.already_billed) for r in again] == [([], 1), ([], 1)]
    assert len(_transactions(client, f"AMZ-{STOREFRONT}-{order}-INV%")) == 1


def test_a_sales_order_with_a_fulfillment_packed_but_not_shipped_waits(warehouse, client):
    order = "113-8000002-0000001"
    so = _posted(client, warehouse, SALES_ORDER, order, "HOODIE-GREY-L", 2, "44.99")
    day = date(2026, 9, 27)
    _ship(client, so, day, quantity=1)
    _ship(client, so, day, status="B")  # the rest is packed: NetSuite counts it fulfilled, it has not left

    result = _bill(warehouse, client, day)

    assert client.rows("SELECT status FROM transaction WHERE id = ?", [so]) == [{"status": "F"}]
    assert result.billed == [] and result.failed == 0
    assert result.waiting == [f"order {order}: a fulfillment of it is picked or packed, not shipped yet"]
    assert _transactions(client, f"AMZ-{STOREFRONT}-{order}-INV%") == {}


def test_an_order_its_settlement_billed_first_is_not_billed_again(warehouse, client):
    order = "113-8000003-0000001"
    so = _posted(client, warehouse, SALES_ORDER, order, "TSHIRT-BLACK-S", 1, "24.50")
    day = date(2026, 9, 26)
    _ship(client, so, day)
    client.transform("salesOrder", so, "invoice", {"externalId": f"AMZ-STL-80000000301-INV-{order}"})
    writes = sum(client.writes.values())

    result = _bill(warehouse, client, day)

    assert (result.billed, result.already_billed, result.waiting) == ([], 1, [])
    assert sum(client.writes.values()) == writes
    assert warehouse.rows("SELECT count(*) FROM sales_orders_billed") == [(0,)]


def test_the_settlement_pays_the_invoice_billed_on_fulfilment_and_bills_nothing(warehouse, client, mapping):
    order = "113-8000004-0000001"
    so = _posted(client, warehouse, SALES_ORDER, order, "MUG-CAFE-WHITE", 2, "14.99", shippingCost="4.99")
    day = date(2026, 9, 28)
    _ship(client, so, day)
    (billed,) = _bill(warehouse, client, day).billed

    def mfn(amount, **kw):
        return line(order_id=order, amount=D(amount), fulfillment_id="MFN", sku="MUG-CAFE-WHITE", **kw)

    warehouse.store(settlement_text([mfn("29.98"), mfn("4.99", amount_description="Shipping"),
                                     fee("Commission", "-4.50", order_id=order)], settlement_id="80000000302"))
    result = _post(warehouse, client, "80000000302", mapping)

    assert "invoice" not in result.posted and result.unmatched == [] and result.variances == []
    payment = _transactions(client, f"AMZ-STL-80000000302-PAY-{order}")[f"AMZ-STL-80000000302-PAY-{order}"]
    assert D(payment["foreigntotal"]) == D("34.97")
    assert client.rows("SELECT status, foreignamountremaining FROM transaction WHERE id = ?",
                       [billed["invoice_id"]]) == [{"status": "B", "foreignamountremaining": "0"}]
    assert client.rows("SELECT count(*) AS n FROM previoustransactionlinelink WHERE linktype = 'OrdBill' "
                       "AND previousdoc = ?", [so]) == [{"n": "1"}]


def test_with_billing_on_fulfilment_off_or_orders_not_posted_nothing_is_billed(warehouse, client):
    from amazon_netsuite_tests.lib.settlements.settlement_warehouse import SUMMARY_SETTINGS

    order = "113-8000005-0000001"
    so = _posted(client, warehouse, SALES_ORDER, order, "TSHIRT-BLACK-S", 1, "24.50")
    day = date(2026, 9, 25)
    _ship(client, so, day)
    writes = sum(client.writes.values())

    off = _bill(warehouse, client, day, _billing_off(SETTINGS))
    summary = _bill(warehouse, client, day, SUMMARY_SETTINGS)

    assert "bill_on_fulfilment is off" in off.skipped and "do not post" in summary.skipped
    assert off.billed == summary.billed == []
    assert sum(client.writes.values()) == writes
    assert client.rows("SELECT status FROM transaction WHERE id = ?", [so]) == [{"status": "F"}]
