"""The one automation condition every posting asset uses: post a storefront-day once what it posts has loaded.

Each posting asset is targeted by an `AutomationConditionSensorDefinition` of its flow, running by default: a
condition that no running sensor evaluates does nothing (https://docs.dagster.io/guides/automate/declarative-automation).
"""

from datetime import timedelta

import dagster as dg

# Plain eager() only looks at the newest day. A late report, a backfill or a deposit can update any day of the last
# weeks; Amazon keeps order reports for 30 days, so 31 days covers every day a report can still reload.
POSTING_LOOK_BACK = timedelta(days=31)


def post_when_loaded(look_back: timedelta | None = POSTING_LOOK_BACK) -> dg.AutomationCondition:
    """Eager within `look_back` (None: the newest day only), and only once every blocking check of the dependencies
    passed: plain eager ignores blocking checks (https://github.com/dagster-io/dagster/issues/17332)."""
    return (
        dg.AutomationCondition.eager().replace(
            "in_latest_time_window", dg.AutomationCondition.in_latest_time_window(look_back))
        & dg.AutomationCondition.all_deps_blocking_checks_passed()
    )
