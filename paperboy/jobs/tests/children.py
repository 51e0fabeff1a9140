"""Child processes (task workers) on the test database, for the worker tests."""

import json
import os
import subprocess
import sys
from pathlib import Path

RUN_CHILD = Path(__file__).with_name("run_child.py")


def child_env(**extra: str) -> dict:
    from django.db import connection

    config = {
        k: (str(v) if k == "NAME" else v)
        for k, v in connection.settings_dict.items()
        if k in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT", "OPTIONS")
    }
    return {**os.environ, "PB_TEST_DB": json.dumps(config), **extra}


def start_worker(*args: str, env: dict | None = None) -> subprocess.Popen:
    """``paperboy manage run_worker …`` in a child process on the test database."""
    command = [sys.executable, str(RUN_CHILD), "manage", "run_worker", "--no-startup-delay"]
    return subprocess.Popen(
        [*command, "--interval", "0.2", *args],
        env=env or child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
