"""The local event pump in a process of its own, over the app under test: the tests that kill a
Lambda function or the pump mid-work kill this process.

    python -m tests.integration.pump_process   (the environment points it at the embedded AWS)
"""

from __future__ import annotations

import threading

from devstack.environment import REGION
from devstack.pump import EventPump
from devstack.resources import table_name
from tests.api.conftest import app_under_test


def main() -> None:
    pump = EventPump.connected(app_under_test(), table_name(), REGION)
    print("pump running", flush=True)
    pump.run_forever(threading.Event(), interval=0.1)


if __name__ == "__main__":
    main()
