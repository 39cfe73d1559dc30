"""A realistic, deterministic sample community for demos, tests and benchmarks.

:func:`build_sample` plans a whole community from a seed (households, staff,
bills, payments and a collection history that shows every debtor type) and
writes it through the :class:`~knock.core.ledger.Ledger`, like any other client.
"""

from __future__ import annotations

from knock.sample.community import SITUATIONS, SampleSummary, build_sample, default_sizes, iter_sample, plan_sample

__all__ = ["SITUATIONS", "SampleSummary", "build_sample", "default_sizes", "iter_sample", "plan_sample"]
