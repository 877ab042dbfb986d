"""SP-API client: LWA auth, usage-plan rate limits, one retry policy, and one class per API area and version."""

from amazon_netsuite.lib.amazon.client import SpApiClient, SpApiResponse
from amazon_netsuite.lib.amazon.documents import DownloadedReport
from amazon_netsuite.lib.amazon.errors import (
    AuthError,
    ErrorItem,
    FeedTimeout,
    Forbidden,
    InvalidInput,
    NotFound,
    QuotaExceeded,
    ReportDocumentError,
    ReportTimeout,
    ServerError,
    SpApiError,
    SpApiUnreachable,
    Unauthorized,
)
from amazon_netsuite.lib.amazon.feeds import Feed, FeedDocument, FeedOutcome, FeedsApi
from amazon_netsuite.lib.amazon.listings import (
    ListedPrice,
    ListingIssue,
    ListingItem,
    ListingsApi,
    Sale,
    SubmissionResult,
    listed_price,
    merchant_quantity,
    price_message,
    price_patch,
    quantity_patch,
    retire_patches,
)
from amazon_netsuite.lib.amazon.product_types import ProductTypeDefinition, ProductTypesApi
from amazon_netsuite.lib.amazon.ratelimit import USAGE_PLANS, RateLimiter, UsagePlan
from amazon_netsuite.lib.amazon.reports import ProcessingStatus, Report, ReportDocument, ReportsApi
from amazon_netsuite.lib.amazon.transport import RetryPolicy

__all__ = [
    "AuthError",
    "DownloadedReport",
    "ErrorItem",
    "Feed",
    "FeedDocument",
    "FeedOutcome",
    "FeedTimeout",
    "FeedsApi",
    "Forbidden",
    "InvalidInput",
    "ListedPrice",
    "ListingIssue",
    "ListingItem",
    "ListingsApi",
    "NotFound",
    "ProcessingStatus",
    "ProductTypeDefinition",
    "ProductTypesApi",
    "QuotaExceeded",
    "RateLimiter",
    "Report",
    "ReportDocument",
    "ReportDocumentError",
    "ReportTimeout",
    "ReportsApi",
    "RetryPolicy",
    "Sale",
    "ServerError",
    "SpApiClient",
    "SpApiError",
    "SpApiResponse",
    "SpApiUnreachable",
    "SubmissionResult",
    "USAGE_PLANS",
    "Unauthorized",
    "listed_price",
    "merchant_quantity",
    "price_message",
    "price_patch",
    "quantity_patch",
    "retire_patches",
    "UsagePlan",
]
