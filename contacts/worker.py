"""What the task worker does besides its queue: checks run every few seconds.

Apps register their checks here when they are ready (an app above contacts reaches the
worker without contacts knowing it); `manage.py db_worker` runs each in a thread of its
own. A check must be safe to run in several workers at once: each claims its work in the
database.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    name: str
    interval: Callable[[], float]  # seconds, read at each turn: settings may change in tests
    run: Callable[[], object]


CHECKS: dict[str, Check] = {}


def register(name: str, interval: Callable[[], float], run: Callable[[], object]) -> None:
    CHECKS[name] = Check(name, interval, run)


def run_once(check: Check) -> None:
    try:
        check.run()
    except Exception:
        # The database may be restarting: the next turn tries again.
        logger.exception("The worker's check %s failed", check.name)
    finally:
        connection.close()


def _loop(check: Check) -> None:
    while True:
        time.sleep(check.interval())
        run_once(check)


def start_checks() -> None:
    """Run every registered check now, then in a thread of its own every interval."""
    for check in CHECKS.values():
        run_once(check)
        threading.Thread(target=_loop, args=[check], name=check.name, daemon=True).start()
