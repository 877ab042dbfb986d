"""What the listings flow reads: NetSuite's product master, as the listing each item becomes in the storefront's
marketplace (`product_master`): attributes per the product type's definition on Amazon, or why none can be built.

Like a snapshot, it is NetSuite as of the run, so only today's partition is read; past days keep what they read.
"""

import dagster as dg

from amazon_netsuite.defs import helpers
from amazon_netsuite.defs.helpers import Flow, counted_markdown
from amazon_netsuite.defs.resources import NetSuite, SellerCentral, Warehouse
from amazon_netsuite.lib import postings
from amazon_netsuite.lib.settings import load_settings


def today_only(context: dg.AssetExecutionContext):
    return helpers.today_only(context, "NetSuite's product master", "read")


def definitions(flow: Flow) -> dg.Definitions:
    @flow.partitioned_asset(
        name="product_master", kinds={"netsuite", "amazon", "duckdb"},
        description="Every NetSuite inventory and kit item as the listing it becomes in the storefront's "
                    "marketplace: title, brand, bullet points, description, identifier, image, and for matrix "
                    "families parentage, variation theme and the child's options, mapped to the attributes the "
                    "item's product type (custitem_amz_product_type) declares on Amazon; or the problem that stops "
                    "it (a child without a parent, an unknown product type, axes no theme covers).")
    def product_master(context: dg.AssetExecutionContext, warehouse: Warehouse, netsuite: NetSuite,
                       seller_central: SellerCentral) -> dg.MaterializeResult:
        from amazon_netsuite.lib.amazon.errors import NotFound
        from amazon_netsuite.lib.amazon.product_types import ProductTypesApi
        from amazon_netsuite.lib.listings.netsuite_products import read_products
        from amazon_netsuite.lib.listings.run import build_product_master, write_product_master

        storefront, day = today_only(context)
        settings = load_settings()
        account = settings.account_of(storefront)
        marketplace_id = settings.storefront(storefront).marketplace_id
        with netsuite.client() as client:
            products = read_products(client)
        with seller_central.client(account.key) as client:
            api, schemas = ProductTypesApi(client), {}

            def definition(product_type: str) -> dict | None:
                if product_type not in schemas:
                    try:
                        schemas[product_type] = api.get_definition(product_type, marketplace_id,
                                                                   account.seller_id).schema
                    except NotFound:
                        schemas[product_type] = None
                return schemas[product_type]

            rows = build_product_master(products, definition, marketplace_id=marketplace_id)
        with warehouse.connection() as con:
            written = write_product_master(con, storefront, day, rows, postings.utc_now())
        problems = [r["problem"].split(":")[0] for r in rows if r["problem"]]
        return dg.MaterializeResult(metadata={
            "dagster/row_count": written, "listable": sum(1 for r in rows if r["attributes"] is not None),
            "retired": sum(1 for r in rows if r["is_retired"]),
            "product_types": ", ".join(sorted(k for k, v in schemas.items() if v is not None)) or "none",
            "problems": counted_markdown(sorted(((p, 1) for p in problems)), empty="none")})

    return dg.Definitions(assets=[product_master])
