"""What a push gate answers (inventory quantities, prices): may it go, and if not, why and which SKUs."""

from __future__ import annotations

from dataclasses import dataclass, field

SKUS_NAMED = 20


@dataclass(frozen=True)
class GateResult:
    passed: bool
    reasons: list[str] = field(default_factory=list)
    skus: list[str] = field(default_factory=list)  # the SKUs the reasons are about


def named(skus: list[str]) -> str:
    """The first SKUs of a list, and how many more, for a reason a person reads."""
    more = f" and {len(skus) - SKUS_NAMED} more" if len(skus) > SKUS_NAMED else ""
    return ", ".join(skus[:SKUS_NAMED]) + more
