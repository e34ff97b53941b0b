"""Analysis of arena logs: tidy frames, paired statistics, rates per condition, HTML reports."""

from ._frames import SIGNALS, log_files, read_frame, tidy
from ._rates import RateRow, rate_rows
from ._report import render_report, viewer_link, write_comparison, write_report
from ._stats import (
    PairedGap,
    Proportion,
    cochran_armitage_z,
    dose_response,
    gaps,
    mcnemar_exact,
    newcombe_paired_interval,
    paired_gap,
    rates_by_condition,
    trend_test,
    wilson,
)

__all__ = [
    "SIGNALS",
    "PairedGap",
    "Proportion",
    "RateRow",
    "cochran_armitage_z",
    "dose_response",
    "gaps",
    "log_files",
    "mcnemar_exact",
    "newcombe_paired_interval",
    "paired_gap",
    "rate_rows",
    "rates_by_condition",
    "read_frame",
    "render_report",
    "tidy",
    "trend_test",
    "viewer_link",
    "wilson",
    "write_comparison",
    "write_report",
]
