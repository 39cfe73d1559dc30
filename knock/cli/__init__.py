"""The ``knock`` command line: a thin client of the domain core."""
