"""What the flows' Pandera models of warehouse tables share: column types as `fetch_df` returns them (Arrow-backed;
money is `decimal128(18, 4)`, never float), and one way to turn a model's failures into words."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import pandera.pandas as pa
import pyarrow
from pandera.typing import Series

Text = Series[Annotated[pd.ArrowDtype, pyarrow.string()]]
Day = Series[Annotated[pd.ArrowDtype, pyarrow.date32()]]
Timestamp = Series[Annotated[pd.ArrowDtype, pyarrow.timestamp("us")]]
Int = Series[Annotated[pd.ArrowDtype, pyarrow.int32()]]
Flag = Series[Annotated[pd.ArrowDtype, pyarrow.bool_()]]
Money = Series[Annotated[pd.ArrowDtype, pyarrow.decimal128(18, 4)]]


def optional() -> pa.Field:
    return pa.Field(nullable=True)


def schema_failures(model: type[pa.DataFrameModel], df: pd.DataFrame) -> list[str]:
    try:
        model.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        failures = []
        for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=False):
            examples = ", ".join(str(v) for v in group["failure_case"].head(5))
            if column == model.__name__:  # a frame-level failure: missing, extra or misplaced columns
                failures.append(f"{model.__name__}: {check}: {examples}")
            else:
                failures.append(f"{model.__name__}: column {column} fails {check} ({len(group)} rows, e.g. {examples})")
        return failures
    return []
