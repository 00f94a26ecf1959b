"""How figures are printed: money as Chinese readers expect it, quantities without noise.

`{{ value|yuan }}`: under 1万 in 元 with thousands separators (`8,700元`, `9,999.50元`), from
1万 on in 万元 with two decimals (`87.00万元`, `51,200.00万元`). Values stay exact Decimals until
here; the only rounding is ROUND_HALF_UP at display. The English interface prints yuan in full.
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template
from django.utils.translation import get_language

register = template.Library()

CENT = Decimal("0.01")
WAN = Decimal(10000)


def _decimal(value: Any) -> Decimal:
    # A float never reaches here from the models; str() keeps a stray one from growing digits.
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _plain(amount: Decimal) -> str:
    """Thousands separators; cents only when there are any."""
    if amount == amount.to_integral_value():
        return f"{amount:,.0f}"
    return f"{amount:,.2f}"


@register.filter
def yuan(value: Any) -> str:
    if value is None or value == "":
        return "—"
    exact = _decimal(value)
    amount = exact.quantize(CENT, rounding=ROUND_HALF_UP)
    if not (get_language() or "zh").startswith("zh"):
        return f"{_plain(amount)} yuan"
    if abs(amount) >= WAN:
        # From the exact value: rounding to the fen first and then to 0.01万 could round twice.
        wan = (exact / WAN).quantize(CENT, rounding=ROUND_HALF_UP)
        return f"{wan:,.2f}万元"
    return f"{_plain(amount)}元"


@register.filter
def qty(value: Any) -> str:
    """A count or quantity with thousands separators and no trailing zeros (3.5, 118, 41,000)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    number = _decimal(value).normalize()
    return f"{number:,f}"


@register.filter
def figure(cell: Any) -> str:
    """An outcome figure (`twinning.aid.outcomes.Cell`): money in 元/万元, else number and unit."""
    if cell.money:
        return yuan(cell.value)
    return f"{qty(cell.value)}{cell.unit}"


YI = Decimal(100_000_000)


@register.filter
def wan(value: Any) -> str:
    """Money for a table column headed 万元: always in 万元 with two decimals and thousands
    separators, whatever its size (`0.00`, `0.46`, `51,200.00`), so a column has one unit."""
    if value is None or value == "":
        return "—"
    return f"{(_decimal(value) / WAN).quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


@register.filter
def money(value: Any) -> str:
    """Money in running text: 亿元 from 1亿 on (`5.12亿元`), else as `yuan` (万元 from 1万)."""
    if value is None or value == "":
        return "—"
    exact = _decimal(value)
    if abs(exact) >= YI and (get_language() or "zh").startswith("zh"):
        return f"{(exact / YI).quantize(CENT, rounding=ROUND_HALF_UP):,.2f}亿元"
    return yuan(exact)


@register.filter
def pct(value: Any) -> str:
    """A percentage with one decimal (`70.0%`, `56.2%`); `—` when there is none."""
    if value is None or value == "":
        return "—"
    return f"{_decimal(value).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


@register.filter
def percent_of(part: Any, whole: Any) -> str:
    """`part` as a share of `whole`, one decimal (`{{ 367|percent_of:941 }}` → `39.0%`)."""
    if not whole:
        return "—"
    return pct(_decimal(part) * 100 / _decimal(whole))
