"""Shared fixtures of the Python suites: the built artifacts and a clean venv with the wheel."""
import glob
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from binding_kit import ROOT


def _one(pattern: str) -> Path:
    found = sorted(glob.glob(str(ROOT / pattern)))
    assert len(found) == 1, f"expected exactly one {pattern}, found {found}: run the test command, which builds it"
    return Path(found[0])


@pytest.fixture(scope="session")
def wheel() -> Path:
    return _one("dist/python/*.whl")


@pytest.fixture(scope="session")
def tarball() -> Path:
    return _one("dist/js/*.tgz")


@pytest.fixture(scope="session")
def binding_python(wheel: Path, tmp_path_factory) -> Path:
    """A clean virtual environment with the freshly built wheel and aws-cdk-lib at the floor."""
    env_dir = tmp_path_factory.mktemp("binding-venv")
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         str(wheel), "-r", str(ROOT / "test" / "python" / "binding-requirements.txt")],
        check=True,
    )
    return python


sys.path.insert(0, str(Path(__file__).parent))
