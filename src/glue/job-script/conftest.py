"""Lets the job-script tests import the script's modules as Glue does (flat, from its folder), and
gives them one SparkSession for the whole pytest session."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def spark():
    from sdl_spark import local_session

    session = local_session("sdl-tests")
    yield session
    session.stop()
