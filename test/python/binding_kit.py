"""Helpers of the Python suites (imported by module name: conftest modules of several folders clash)."""
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_python(python: Path, script: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run a script with another interpreter (the clean binding venv), outside this venv."""
    env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)
    env["JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION"] = "1"
    return subprocess.run([str(python), str(script), *args], capture_output=True, text=True, cwd=cwd, env=env, check=False)
