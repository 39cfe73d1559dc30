"""Importing a billing system's arrears list and the staff list (CSV or .xlsx, Chinese or English headers).

No click here: the CLI (``knock import``) and any screen call these functions
and print the :class:`ImportReport` they return.
"""

from __future__ import annotations

from knock.importing.households import check_households, import_households
from knock.importing.readers import ImportFileError, read_sheet
from knock.importing.staff import check_staff, import_staff
from knock.importing.validate import ImportReport, RowError, due_date_for

__all__ = [
    "ImportFileError",
    "ImportReport",
    "RowError",
    "check_households",
    "check_staff",
    "due_date_for",
    "import_households",
    "import_staff",
    "read_sheet",
]
