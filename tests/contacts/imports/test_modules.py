"""Each module of the import, the demo and the bulk path imports first, on its own.

An import circle shows only in some orders: each module is imported first in a process
of its own, forked once Django is set up, as a worker or a command would load it.
"""

import os
import subprocess
import sys
from pathlib import Path

import contacts

ROOT = Path(contacts.__file__).parent
MODULES = sorted(
    [
        *(f"contacts.imports.{path.stem}" for path in (ROOT / "imports").glob("*.py")),
        *(f"contacts.demo.{path.stem}" for path in (ROOT / "demo").glob("*.py")),
        "contacts.db.bulk",
        "contacts.search_text",
        "contacts.management.commands.db_worker",
        "contacts.management.commands.import_contacts",
        "contacts.management.commands.seed_demo",
    ]
)
SCRIPT = """
import importlib, os, sys, traceback
import django

django.setup()
for name in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(name)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    if os.waitpid(pid, 0)[1]:
        print(name)
"""


def test_each_module_imports_first_in_a_fresh_process():
    assert "contacts.imports.runner" in MODULES
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, *MODULES],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "crm.settings"},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert result.stdout.split() == [], result.stderr
