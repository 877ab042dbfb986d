"""One storefront-day of listings: NetSuite's product master as the listings Amazon should have, checked with
VALIDATION_PREVIEW, then created, updated or retired.

- A SKU Amazon does not list yet is created (putListingsItem); a matrix parent before its children, since a child
  names an existing parent.
- A SKU this project created whose content changed in NetSuite is updated by a patch that replaces each product
  attribute (never the offer or the quantity, which the pricing and inventory flows own). SKUs Amazon listed before
  keep their content unless `listings.update_existing`.
- A retired item stops selling: its offer ends now and its quantity becomes 0; it is never deleted, since its orders,
  returns and FBA stock keep the SKU (https://github.com/amzn/selling-partner-api-models/issues/4780).
Nothing is sent whose preview Amazon called INVALID: the issues, with the attribute names, go to
`integration_errors`, and the rest of the storefront proceeds.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import duckdb
import pyarrow as pa

from amazon_netsuite.lib.amazon.errors import NotFound
from amazon_netsuite.lib.amazon.listings import PURCHASABLE_OFFER, SubmissionResult, retire_patches
from amazon_netsuite.lib.amazon.marketplaces import language_of
from amazon_netsuite.lib.listings.attributes import UnlistableProduct, content_hash, listing_attributes
from amazon_netsuite.lib.postings import QueuedError, queue_errors
from amazon_netsuite.lib.settings import Settings
from amazon_netsuite.lib.warehouse import replace_partition

FLOW = "listings"
Connection = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]


def listing_error_key(sku: str) -> str:
    return f"listing_content:{sku}"


@dataclass
class ListingsResult:
    actions: Counter = field(default_factory=Counter)  # created | updated | retired | unchanged | refused | kept
    problems: int = 0


def _order(row: dict) -> tuple:
    # Parents first: a child names a parent that must exist on Amazon.
    return (0 if row["matrix_type"] == "PARENT" else 1, row["sku"])


def build_product_master(products: pa.Table, definitions: Callable[[str], dict | None], *, marketplace_id: str
                         ) -> list[dict]:
    """Each product with the listing built for it (`attributes`, `content_hash`) or the `problem` that stops it;
    `definitions(product_type)` is the type's schema, or None when Amazon has no such type."""
    rows = []
    for product in sorted(products.to_pylist(), key=_order):
        row = {k: product[k] for k in ("sku", "netsuite_id", "parent_sku", "matrix_type", "product_type", "title",
                                       "is_retired", "problem")}
        row.update(attributes=None, content_hash=None)
        if not row["problem"] and not row["is_retired"]:
            schema = definitions(product["product_type"]) if product.get("product_type") else None
            if schema is None:
                row["problem"] = (f"Amazon has no product type {product.get('product_type') or '(none set)'} in "
                                  "this marketplace: set custitem_amz_product_type to one it has")
            else:
                try:
                    attributes = listing_attributes(product, schema, marketplace_id=marketplace_id,
                                                    language_tag=language_of(marketplace_id))
                except UnlistableProduct as exc:
                    row["problem"] = str(exc)
                else:
                    row.update(attributes=attributes, content_hash=content_hash(product["product_type"],
                                                                                attributes))
        rows.append(row)
    return rows


def write_product_master(con: duckdb.DuckDBPyConnection, storefront: str, day: date, rows: list[dict],
                         read_at: datetime) -> int:
    table = pa.Table.from_pylist([{**r, "attributes": None if r["attributes"] is None else json.dumps(
        r["attributes"], ensure_ascii=False)} for r in rows], schema=pa.schema([
            ("sku", pa.string()), ("netsuite_id", pa.string()), ("parent_sku", pa.string()),
            ("matrix_type", pa.string()), ("product_type", pa.string()), ("title", pa.string()),
            ("is_retired", pa.bool_()), ("problem", pa.string()), ("attributes", pa.string()),
            ("content_hash", pa.string())]))
    con.register("built", table)
    try:
        return replace_partition(con, "product_master", storefront, str(day),
                                 "SELECT ?::VARCHAR AS storefront, ?::DATE AS day, ?::TIMESTAMP AS read_at, "
                                 "* REPLACE (attributes::JSON AS attributes) FROM built",
                                 params=[storefront, day, read_at])
    finally:
        con.unregister("built")


def _issues_json(result: SubmissionResult) -> str:
    return json.dumps([{"code": i.code, "message": i.message, "severity": i.severity,
                        "attribute_names": list(i.attribute_names), "categories": list(i.categories)}
                       for i in result.issues], ensure_ascii=False)


def _refusal(sku: str, action: str, result: SubmissionResult) -> str:
    said = "; ".join(f"{', '.join(i.attribute_names) or 'listing'}: {i.message} ({i.code}"
                     f"{', ' + ', '.join(i.categories) if i.categories else ''})" for i in result.errors)
    return f"Amazon would not {action} the listing of SKU {sku}: {said}"


def publish_listings(connect: Connection, listings_api, settings: Settings, storefront: str, day: date,
                     now: datetime, log=None) -> ListingsResult:
    """Create, update and retire the storefront's listings from the day's `product_master`."""
    seller_id = settings.account_of(storefront).seller_id
    marketplace_id = settings.storefront(storefront).marketplace_id
    update_existing = settings.listings.update_existing
    result = ListingsResult()
    with connect() as con:
        products = con.execute(
            "SELECT sku, parent_sku, matrix_type, product_type, is_retired, attributes, content_hash, problem "
            "FROM product_master WHERE storefront = ? AND day = ? "
            "ORDER BY CASE matrix_type WHEN 'PARENT' THEN 0 ELSE 1 END, sku", [storefront, day]).fetchall()
        known = {sku: (origin, content, retired) for sku, origin, content, retired in con.execute(
            "SELECT sku, origin, content_hash, retired FROM amazon_listing_content WHERE storefront = ?",
            [storefront]).fetchall()}
    submissions, registered, errors, settled = [], [], [], []

    def record(sku, product_type, action, mode, answer: SubmissionResult) -> None:
        submissions.append(dict(storefront=storefront, day=day, submitted_at=now, sku=sku, product_type=product_type,
                                action=action, mode=mode, status=answer.status, submission_id=answer.submission_id,
                                issues=_issues_json(answer)))

    def send(sku, product_type, action, call) -> bool:
        """Preview, then (when VALID) submit; True when Amazon accepted."""
        preview = call(True)
        record(sku, product_type, action, "preview", preview)
        if preview.errors or preview.status != "VALID":
            errors.append(QueuedError(listing_error_key(sku), "validation", _refusal(sku, action, preview),
                                      {"sku": sku, "product_type": product_type}))
            result.actions["refused"] += 1
            return False
        answer = call(False)
        record(sku, product_type, action, "submit", answer)
        if answer.status != "ACCEPTED":
            errors.append(QueuedError(listing_error_key(sku), "validation", _refusal(sku, action, answer),
                                      {"sku": sku, "product_type": product_type}))
            result.actions["refused"] += 1
            return False
        settled.append(listing_error_key(sku))
        return True

    for sku, *_ in products:  # first sight of a SKU: is it on Amazon already?
        if sku not in known:
            listed = listings_api.get_item(seller_id, sku, marketplace_id, included=("summaries",))
            if listed is not None:
                known[sku] = ("amazon", None, False)
                registered.append((sku, "amazon", listed.product_type, None, False))
    # A matrix parent is created only for children it will list: one whose children were all on Amazon before
    # would be an empty family (Amazon does not move existing children under a new parent by patch).
    new_children = {parent for sku, parent, matrix, _, retired, _, _, problem in products
                    if matrix == "CHILD" and sku not in known and not retired and not problem}

    for sku, parent, matrix, product_type, retired, attributes, digest, problem in products:
        origin, sent_hash, was_retired = known.get(sku, (None, None, False))
        if origin == "amazon" and not update_existing and not retired:
            result.actions["unchanged"] += 1  # listed before us: its content is the seller's on Amazon
            continue
        if origin is None and matrix == "PARENT" and sku not in new_children:
            result.actions["kept"] += 1  # a family whose children Amazon listed before us
            continue
        if problem and not retired:
            result.problems += 1
            errors.append(QueuedError(listing_error_key(sku), "mapping", f"SKU {sku} (storefront {storefront}) "
                                      f"cannot be listed: {problem}", {"sku": sku, "parent_sku": parent}))
            continue
        if retired:
            if origin is None or was_retired:
                result.actions["kept"] += 1
                continue
            current = listings_api.get_item(seller_id, sku, marketplace_id, included=("attributes",))
            offers = (current.attributes.get(PURCHASABLE_OFFER) or []) if current else []
            kind = (current.product_type if current else None) or product_type or "PRODUCT"
            if send(sku, kind, "retire", lambda preview: listings_api.patch_item(
                    seller_id, sku, marketplace_id, kind, retire_patches(offers, now.replace(tzinfo=timezone.utc)),
                    preview=preview)):
                registered.append((sku, origin, kind, sent_hash, True))
                result.actions["retired"] += 1
            continue
        attributes = json.loads(attributes)
        if origin is None:
            if send(sku, product_type, "create", lambda preview: listings_api.put_item(
                    seller_id, sku, marketplace_id, product_type, attributes, preview=preview)):
                registered.append((sku, "ours", product_type, digest, False))
                result.actions["created"] += 1
            continue
        if sent_hash == digest:
            result.actions["unchanged"] += 1
            continue
        patches = [{"op": "replace", "path": f"/attributes/{name}", "value": value}
                   for name, value in attributes.items()]
        if send(sku, product_type, "update", lambda preview: listings_api.patch_item(
                seller_id, sku, marketplace_id, product_type, patches, preview=preview)):
            registered.append((sku, origin, product_type, digest, False))
            result.actions["updated"] += 1
    with connect() as con:
        if submissions:
            con.register("submitted", pa.Table.from_pylist(submissions))
            con.execute("INSERT INTO listing_submissions BY NAME SELECT * REPLACE (issues::JSON AS issues) "
                        "FROM submitted")
            con.unregister("submitted")
        if registered:
            con.executemany(
                "INSERT INTO amazon_listing_content VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (storefront, sku) DO "
                "UPDATE SET origin = excluded.origin, product_type = excluded.product_type, "
                "content_hash = excluded.content_hash, retired = excluded.retired, updated_at = excluded.updated_at",
                [(storefront, sku, origin, kind, digest, retired, now)
                 for sku, origin, kind, digest, retired in registered])
        queue_errors(con, FLOW, storefront, errors, now, settled=settled)
    if log:
        log.info(f"listings {storefront}: " + ", ".join(f"{n} {a}" for a, n in sorted(result.actions.items()))
                 + f"; {result.problems} cannot be listed")
    return result
