"""Analysis of arena logs: tidy frames, rates per condition (statistics and reports build on this)."""

from ._frames import SIGNALS, log_files, read_frame, tidy
from ._rates import RateRow, rate_rows

__all__ = ["SIGNALS", "RateRow", "log_files", "rate_rows", "read_frame", "tidy"]
