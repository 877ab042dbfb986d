"""Each message of a feed: accepted, rejected or unknown from the processing report, and the register it updates."""

import json
from datetime import datetime

import jsonschema
import pytest

from amazon_netsuite.lib.inventory.deltas import feed_documents
from amazon_netsuite.lib.inventory.outcomes import message_outcomes, record_accepted
from amazon_netsuite_tests.conftest import SPAPI_MODELS
from amazon_netsuite_tests.lib.inventory.conftest import listed

REPORT_SCHEMA = json.loads((SPAPI_MODELS / "listings-feed-processing-report-schema-v2.json").read_text())
AT = datetime(2026, 11, 16, 9, 30)
(DOCUMENT,) = feed_documents("A2DEMOSELLERNA1", [{"sku": "OK", "quantity": 4}, {"sku": "UNKNOWN", "quantity": 2},
                                                 {"sku": "WARN", "quantity": 0}])
MESSAGES = DOCUMENT["messages"]


def report(*issues):
    body = {"header": {"sellerId": "A2DEMOSELLERNA1", "version": "2.0", "feedId": "FEED-7"},
            "issues": list(issues),
            "summary": {"errors": sum(i["severity"] == "ERROR" for i in issues),
                        "warnings": sum(i["severity"] == "WARNING" for i in issues), "messagesProcessed": 3,
                        "messagesAccepted": 2, "messagesInvalid": 1}}
    jsonschema.Draft7Validator(REPORT_SCHEMA).validate(body)
    return body


DONE_REPORT = report(
    {"messageId": 2, "sku": "UNKNOWN", "code": "4000003", "severity": "ERROR",
     "message": "The Amazon product type specified is invalid or not supported."},
    {"messageId": 2, "sku": "UNKNOWN", "code": "90220", "severity": "ERROR", "message": "SKU not found"},
    {"messageId": 3, "sku": "WARN", "code": "18448", "severity": "WARNING", "message": "Attributes are incomplete",
     "attributeName": "item_weight"},
)


def test_errors_reject_a_message_and_warnings_keep_it_accepted_with_the_issue():
    assert message_outcomes(MESSAGES, DONE_REPORT, "DONE") == [
        {"message_id": 1, "sku": "OK", "quantity": 4, "outcome": "accepted", "issue": None},
        {"message_id": 2, "sku": "UNKNOWN", "quantity": 2, "outcome": "rejected",
         "issue": "ERROR 4000003: The Amazon product type specified is invalid or not supported.; "
                  "ERROR 90220: SKU not found"},
        {"message_id": 3, "sku": "WARN", "quantity": 0, "outcome": "accepted",
         "issue": "WARNING 18448: Attributes are incomplete (item_weight)"},
    ]


def test_a_fatal_feed_without_a_report_leaves_every_message_unknown():
    rows = message_outcomes(MESSAGES, None, "FATAL")
    assert [(r["sku"], r["outcome"]) for r in rows] == [("OK", "unknown"), ("UNKNOWN", "unknown"), ("WARN", "unknown")]
    assert rows[0]["issue"] == ("the feed ended FATAL without a processing report: Amazon may have applied some, "
                                "none or all of its messages; read the listing back before sending again")


def test_a_fatal_feed_with_a_report_rejects_its_errors_and_keeps_feed_wide_issues_on_each_message():
    fatal = report({"severity": "ERROR", "message": "The feed could not be parsed."},
                   {"messageId": 1, "sku": "OK", "severity": "ERROR", "message": "bad value"})
    rows = message_outcomes(MESSAGES, fatal, "FATAL")
    assert [(r["sku"], r["outcome"]) for r in rows] == [("OK", "rejected"), ("UNKNOWN", "unknown"), ("WARN", "unknown")]
    assert rows[0]["issue"] == "ERROR: bad value; ERROR: The feed could not be parsed."
    assert rows[1]["issue"].startswith("ERROR: The feed could not be parsed.; the feed ended FATAL: Amazon may")


def test_a_cancelled_feed_applied_nothing():
    rows = message_outcomes(MESSAGES[:1], None, "CANCELLED")
    assert rows == [{"message_id": 1, "sku": "OK", "quantity": 4, "outcome": "rejected",
                     "issue": "the feed was cancelled before Amazon processed it; nothing was applied"}]


def test_accepted_and_read_back_quantities_are_upserted_and_nothing_else(con):
    listed(con, "OK", 9)
    listed(con, "UNKNOWN", 7)
    rows = message_outcomes(MESSAGES, DONE_REPORT, "DONE") + [
        {"message_id": 4, "sku": "READ", "quantity": 6, "outcome": "read_back", "issue": None},
        {"message_id": 5, "sku": "LOST", "quantity": 1, "outcome": "unknown", "issue": "FATAL"}]
    assert record_accepted(con, "demo-US", rows, "FEED-7", AT) == 3
    assert con.execute("SELECT storefront, sku, quantity, accepted_at, feed_id FROM amazon_listing_quantities "
                       "ORDER BY sku").fetchall() == [
        ("demo-US", "OK", 4, AT, "FEED-7"),
        ("demo-US", "READ", 6, AT, None),
        ("demo-US", "UNKNOWN", 7, datetime(2026, 11, 16, 8, 0), "FEED-0"),  # rejected: Amazon still shows 7
        ("demo-US", "WARN", 0, AT, "FEED-7"),
    ]
    assert record_accepted(con, "demo-US", rows[1:2], "FEED-8", AT) == 0


@pytest.mark.parametrize("status", ["DONE", "FATAL"])
def test_outcomes_follow_the_message_ids_not_the_skus(status):
    # the same SKU twice in one feed (never sent by us, but possible): each message answers for itself
    messages = [dict(MESSAGES[0]), dict(MESSAGES[0], messageId=2)]
    rows = message_outcomes(messages, report({"messageId": 2, "sku": "OK", "severity": "ERROR", "message": "x"}),
                            status)
    assert [r["outcome"] for r in rows] == ["accepted" if status == "DONE" else "unknown", "rejected"]
