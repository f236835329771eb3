"""Lets the job-script tests import the script's modules as Glue does (flat, from its folder)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
