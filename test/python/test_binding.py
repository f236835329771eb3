"""The Python binding: a clean venv installs the built wheel and synthesizes a stack with it."""
import json
from pathlib import Path

from conftest import run_python

HERE = Path(__file__).parent


def test_python_app_synthesizes_with_the_wheel(binding_python, tmp_path):
    result = run_python(binding_python, HERE / "binding_app.py", str(tmp_path / "cdk.out"))
    assert result.returncode == 0, result.stderr
    template = json.loads(result.stdout)
    assert template["Outputs"]["ControlCount"]["Value"] == "28"


def test_the_wheel_is_the_library_under_test(binding_python):
    import subprocess
    out = subprocess.run([str(binding_python), "-c", "import cdk_secure_delta_lake, sys; print(cdk_secure_delta_lake.__file__)"],
                         capture_output=True, text=True, check=True).stdout
    assert "binding-venv" in out and "site-packages/cdk_secure_delta_lake" in out
