"""Report documents: presigned download URLs that expire after 5 minutes (world clock), served like S3 would."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from amazon_netsuite.sandbox.seller_central.errors import REQUEST_ID_HEADER, new_request_id

URL_TTL = timedelta(minutes=5)
_SIGNING_KEY = b"amazon-netsuite sandbox documents"


def sign(*parts: object) -> str:
    """The signature of a presigned URL over its parts (document id, expiry, and what else the URL binds)."""
    return hmac.new(_SIGNING_KEY, "|".join(map(str, parts)).encode(), hashlib.sha256).hexdigest()


def own_base_url(request: Request, public_url: str | None) -> str:
    """The sandbox's own base URL for links it hands out: the configured public URL, else the address the request
    reached (the listening socket). Never the Host header, which any caller can set (a document URL on a host the
    caller names would send the next download, and its signature, there)."""
    if public_url:
        return public_url.rstrip("/")
    host, port = request.scope["server"]
    host = f"[{host}]" if ":" in host else host
    return f"{request.url.scheme}://{host}:{port}"


def presigned_url(base_url: str, document_id: str, now: datetime, gzip_content_encoding: bool = False) -> str:
    """The download URL getReportDocument hands out; valid until now + 5 minutes."""
    expires = int((now + URL_TTL).timestamp())
    encoding = "gzip" if gzip_content_encoding else "identity"
    query = {"expires": expires, "encoding": encoding, "signature": sign(document_id, expires, encoding)}
    return f"{base_url.rstrip('/')}/_documents/{document_id}?{urlencode(query)}"


def s3_error(status: int, code: str, message: str, **extra: str) -> Response:
    fields = "".join(f"<{k}>{v}</{k}>" for k, v in {"Code": code, "Message": message, **extra}.items())
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{fields}<RequestId>{new_request_id()}</RequestId></Error>'
    return Response(body, status_code=status, media_type="application/xml")


def presigned_refusal(params, now: datetime, document_id: str, *bound: str) -> Response | None:
    """S3's 403 for a presigned URL whose signature (over the id, `expires` and `bound`) fails or has expired."""
    try:
        expires = int(params.get("expires", ""))
    except ValueError:
        return s3_error(
            403, "AccessDenied", "Query-string authentication requires the Signature and Expires parameters"
        )
    if not hmac.compare_digest(sign(document_id, expires, *bound), params.get("signature", "")):
        return s3_error(403, "SignatureDoesNotMatch",
                        "The request signature we calculated does not match the signature you provided.")
    if now.timestamp() >= expires:
        return s3_error(403, "AccessDenied", "Request has expired",
                        Expires=datetime.fromtimestamp(expires, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                        ServerTime=now.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return None


async def download_document(request: Request) -> Response:
    """`GET /_documents/{id}?expires=&encoding=&signature=`: the gzip file, or S3's 403/404 XML."""
    state = request.app.state.sandbox
    document_id = request.path_params["document_id"]
    params = request.query_params
    encoding = params.get("encoding", "identity")
    refusal = presigned_refusal(params, state.clock.now(), document_id, encoding)
    if refusal is not None:
        return refusal
    document = state.reports.document(document_id)
    if document is None or not document.path.exists():
        return s3_error(404, "NoSuchKey", "The specified key does not exist.")
    headers = {"Content-Type": document.content_type, REQUEST_ID_HEADER: new_request_id()}
    if encoding == "gzip":
        headers["Content-Encoding"] = "gzip"
    return Response(document.path.read_bytes(), headers=headers)
