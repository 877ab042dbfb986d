"""Which NetSuite item an Amazon SKU posts to, as `order_posting.items` says; every flow that writes item lines
(orders; inventory and prices next) resolves SKUs here.

- `external_id` (default): the item whose external id is the SKU. Nothing is checked before sending; NetSuite
  answers INVALID_KEY_OR_REF for a SKU it does not know, and that order waits as a mapping error.
- `sku_map`: SKU → item external id, inline in the settings and/or a CSV. A SKU missing from the map is known
  before anything is sent.
- `alias_field`: an item custom field (e.g. `custitem_amz_sku`) holding the SKU, the way connectors keep item
  aliases (Celigo's eTail item alias, https://docs.celigo.com/hc/en-us/articles/360024457212; NetSuite Connector
  requires unique SKUs, https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_164017180964.html).
  One SuiteQL query per run resolves the SKUs of the run to internal ids; a SKU no active item carries (or that two
  items carry) is known before sending.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from amazon_netsuite.lib.netsuite.errors import NetSuiteError
from amazon_netsuite.lib.settings import ItemLookup, settings_path

# The default discount item every item promotion posts against (create it in NetSuite as a Discount item).
PROMOTION_ITEM = "AMZ-PROMOTION"
# SuiteQL bind parameters per query: well under what NetSuite accepts, and one query covers a normal day.
_SKUS_PER_QUERY = 500


class UnmappedSku(Exception):
    """An order line's SKU has no NetSuite item under the configured lookup; nothing was sent."""

    def __init__(self, sku: str, reason: str, fix: str) -> None:
        self.sku, self.reason, self.fix = sku, reason, fix
        super().__init__(f"SKU `{sku}` has no NetSuite item: {reason}")


class ItemResolver:
    """SKU → NetSuite item reference for one posting run. `prepare` first with the run's SKUs (alias_field reads
    NetSuite then, once); `reference` then answers from memory."""

    def __init__(self, lookup: ItemLookup, suiteql: Callable[..., Iterator[dict[str, Any]]] | None = None) -> None:
        self.lookup = lookup
        self._suiteql = suiteql
        self._by_alias: dict[str, str] = {}  # SKU → internal id
        self._ambiguous: dict[str, list[str]] = {}  # SKU → internal ids of every item carrying it
        self._asked: set[str] = set()
        self.queries = 0
        self.failure: NetSuiteError | None = None  # the lookup query failed: every SKU waits with that error

    def prepare(self, skus: Iterable[str]) -> None:
        """Resolve every SKU not asked about yet (alias_field only; the other lookups need no I/O)."""
        if self.lookup.by != "alias_field":
            return
        todo = sorted(set(skus) - self._asked)
        if not todo:
            return
        if self._suiteql is None:
            raise RuntimeError("alias_field lookup needs a NetSuite client to run SuiteQL")
        field = self.lookup.alias_field  # validated by the settings as custitem_[a-z0-9_]+, so safe to inline
        found: dict[str, list[str]] = {}
        try:
            for start in range(0, len(todo), _SKUS_PER_QUERY):
                chunk = todo[start:start + _SKUS_PER_QUERY]
                marks = ", ".join("?" for _ in chunk)
                self.queries += 1
                for row in self._suiteql(
                    f"SELECT id, {field} AS sku FROM item WHERE isinactive = 'F' AND {field} IN ({marks}) "
                    "ORDER BY id", chunk,
                ):
                    found.setdefault(str(row["sku"]), []).append(str(row["id"]))
        except NetSuiteError as exc:  # e.g. refused credentials, or no such field: the orders wait, classified by it
            self.failure = exc
            return
        for sku, ids in found.items():
            if len(ids) == 1:
                self._by_alias[sku] = ids[0]
            else:
                self._ambiguous[sku] = ids
        self._asked.update(todo)

    def reference(self, sku: str) -> dict[str, str]:
        """The item reference for the body, or UnmappedSku saying why there is none and what to do."""
        by = self.lookup.by
        if by == "external_id":
            return {"externalId": sku}
        if by == "sku_map":
            item = self.lookup.sku_map_table.get(sku)
            if item is None:
                where = f"order_posting.items.sku_map in {settings_path()}"
                if self.lookup.sku_map_csv:
                    where += f" (or a row `{sku},<item external id>` in {self.lookup.sku_map_csv})"
                raise UnmappedSku(sku, "it is not in the SKU map", f"add it to {where}")
            return {"externalId": item}
        if sku not in self._asked and self.failure is None:
            self.prepare([sku])
        if self.failure is not None:
            raise self.failure
        field = self.lookup.alias_field
        if sku in self._ambiguous:
            ids = ", ".join(self._ambiguous[sku])
            raise UnmappedSku(sku, f"items {ids} all have {field} = `{sku}`",
                              f"keep `{sku}` in {field} of one item only")
        if sku not in self._by_alias:
            raise UnmappedSku(sku, f"no active item has {field} = `{sku}`",
                              f"set {field} to `{sku}` on the item that sells as this SKU")
        return {"id": self._by_alias[sku]}
