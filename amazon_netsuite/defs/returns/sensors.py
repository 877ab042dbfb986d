"""The returns flow has no sensor of its own: returns are read a day at a time by `returns_nightly`, and
`returns_automation` (posting.py) posts each day once its reports loaded."""

import dagster as dg

from amazon_netsuite.defs.helpers import Flow


def definitions(flow: Flow) -> dg.Definitions:
    return dg.Definitions()
