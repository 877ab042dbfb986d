"""NetSuite REST web services client: OAuth 2.0 M2M / TBA auth, records, SuiteQL, typed errors."""

from amazon_netsuite.lib.netsuite.auth import M2MAuth, TbaAuth, authenticator_for, signing_key
from amazon_netsuite.lib.netsuite.client import NetSuiteClient
from amazon_netsuite.lib.netsuite.errors import (
    ConcurrencyLimitExceeded,
    InvalidExternalId,
    InvalidKeyOrRef,
    InvalidLogin,
    NetSuiteAuthError,
    NetSuiteError,
    NetSuiteUnreachable,
    RecordNotFound,
    UnexpectedError,
    UserError,
    check_external_id,
    error_from_body,
)

__all__ = [
    "ConcurrencyLimitExceeded",
    "InvalidExternalId",
    "InvalidKeyOrRef",
    "InvalidLogin",
    "M2MAuth",
    "NetSuiteAuthError",
    "NetSuiteClient",
    "NetSuiteError",
    "NetSuiteUnreachable",
    "RecordNotFound",
    "TbaAuth",
    "UnexpectedError",
    "UserError",
    "authenticator_for",
    "check_external_id",
    "error_from_body",
    "signing_key",
]
