"""The listings flow's tables.

Per storefront-day: `product_master` (NetSuite's items as the listing each becomes in the storefront's marketplace:
product type, attributes, their hash, or why none can be built) and `listing_submissions` (each validation preview
and each submission to Amazon: create, update, retire, with Amazon's status and issues). `amazon_listing_content` is
the register of every SKU's listing per storefront: whether this project created it or found it on Amazon, the
content Amazon last accepted from us, and whether it is retired. The view `listing_issues` lists the issues of each
SKU's newest submission, one row per issue, for counting by severity.
"""

from __future__ import annotations

TABLES: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS product_master (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,
      read_at TIMESTAMP NOT NULL,
      sku VARCHAR NOT NULL,
      netsuite_id VARCHAR NOT NULL,
      parent_sku VARCHAR,
      matrix_type VARCHAR,                -- PARENT | CHILD | NULL
      product_type VARCHAR,
      title VARCHAR,
      is_retired BOOLEAN NOT NULL,
      attributes JSON,                    -- what Amazon is sent for the SKU (NULL when it cannot be built)
      content_hash VARCHAR,
      problem VARCHAR                     -- why no listing can be built (no parent, no variation theme, ...)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS listing_submissions (
      storefront VARCHAR NOT NULL,
      day DATE NOT NULL,
      submitted_at TIMESTAMP NOT NULL,
      sku VARCHAR NOT NULL,
      product_type VARCHAR,
      action VARCHAR NOT NULL,            -- create | update | retire
      mode VARCHAR NOT NULL,              -- preview (VALIDATION_PREVIEW) | submit
      status VARCHAR NOT NULL,            -- VALID | INVALID | ACCEPTED
      submission_id VARCHAR,
      issues JSON                         -- [{code, message, severity, attribute_names, categories}]
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS amazon_listing_content (
      storefront VARCHAR NOT NULL,
      sku VARCHAR NOT NULL,
      origin VARCHAR NOT NULL,            -- ours (created by this project) | amazon (listed before)
      product_type VARCHAR,
      content_hash VARCHAR,               -- the content Amazon last accepted from us (NULL: never sent)
      retired BOOLEAN NOT NULL,
      updated_at TIMESTAMP NOT NULL,
      PRIMARY KEY (storefront, sku)
    )
    """,
)

VIEWS: tuple[str, ...] = (
    """
    CREATE OR REPLACE VIEW listing_issues AS
    WITH newest AS (
      SELECT * FROM listing_submissions
      QUALIFY row_number() OVER (PARTITION BY storefront, sku ORDER BY submitted_at DESC, mode DESC) = 1
    )
    SELECT n.storefront, n.sku, n.product_type, n.action, n.status, n.submitted_at,
           i.issue ->> 'severity' AS severity, i.issue ->> 'code' AS code, i.issue ->> 'message' AS message,
           i.issue -> 'attribute_names' AS attribute_names, i.issue -> 'categories' AS categories
    FROM newest n, unnest(CAST(n.issues AS JSON[])) AS i(issue)
    """,
)
