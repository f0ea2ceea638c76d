"""The engine never loads the web layer."""

import subprocess
import sys


def test_importing_the_engine_loads_no_web_framework():
    code = (
        "import sys, engine, engine.cli\n"
        "web = {'django', 'rest_framework', 'channels', 'dramatiq', 'webapp', 'daphne', 'redis'}\n"
        "loaded = sorted({name.split('.')[0] for name in sys.modules} & web)\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
