"""Test session environment: a throwaway Prefect home, no analytics; set before anything imports prefect."""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile

_PREFECT_HOME = tempfile.mkdtemp(prefix="eventpipe-prefect-")
if os.environ.setdefault("PREFECT_HOME", _PREFECT_HOME) == _PREFECT_HOME:
    # registered before prefect is imported, so it runs after Prefect has stopped its server at exit
    atexit.register(shutil.rmtree, _PREFECT_HOME, ignore_errors=True)
else:
    os.rmdir(_PREFECT_HOME)  # the caller chose a home: keep theirs, drop ours
# a fresh PREFECT_HOME means a database migration on the first flow run: the default timeout is too short
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def pytest_sessionfinish(session: object, exitstatus: int) -> None:
    """Quiet Prefect before exit: its atexit 'Stopping temporary server' goes to pytest's closed capture stream."""
    logging.getLogger("prefect").setLevel(logging.WARNING)
