"""Analysis of arena logs: rates per condition (paired statistics and reports build on this)."""

from ._rates import RateRow, rate_rows

__all__ = ["RateRow", "rate_rows"]
