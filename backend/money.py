"""Money in the API: yuan as a decimal string with two decimals ("12000.00"), in and out.

Stored and computed as `Decimal`, never a float. Requests document a string; a JSON number is
still accepted for compatibility (deprecated in docs/api-changes.md) and read exactly as written.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, WithJsonSchema

PATTERN = r"^\d{1,10}(\.\d{1,2})?$"


def _schema(description: str) -> WithJsonSchema:
    return WithJsonSchema(
        {"type": "string", "pattern": PATTERN, "example": "12000.00", "description": description},
        mode="validation",
    )


# An amount a client sends: ≥ 0, at most two decimals.
MoneyIn = Annotated[
    Decimal,
    Field(ge=0, max_digits=12, decimal_places=2),
    _schema('Yuan as a decimal string, at most two decimals ("12000.00").'),
]
# An amount a client sends that must be more than zero.
PositiveMoneyIn = Annotated[
    Decimal,
    Field(gt=0, max_digits=12, decimal_places=2),
    _schema('Yuan as a decimal string, more than 0, at most two decimals ("3200.00").'),
]


def money_text(amount: Decimal) -> str:
    """The form every response gives an amount: two decimals."""
    return f"{amount:.2f}"
