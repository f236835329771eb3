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


def templates(outdir: Path, stacks: list[str]) -> dict:
    """The stacks' templates, without the metadata (construct paths and CDK's own analytics only)."""
    import json

    out = {}
    for stack in stacks:
        template = json.loads((outdir / f"{stack}.template.json").read_text())
        for resource in template["Resources"].values():
            resource.pop("Metadata", None)
        out[stack] = template
    return out


def synth_typescript_example(outdir: Path, *args: str) -> subprocess.CompletedProcess:
    """Synthesize the TypeScript example (`synth-only.ts`) into outdir, environment-agnostic."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CDK_DEFAULT_")}
    return subprocess.run(
        ["npx", "ts-node", "-P", "tsconfig.dev.json", "--prefer-ts-exts", "examples/ingestion-pipeline/synth-only.ts", str(outdir), *args],
        cwd=ROOT, capture_output=True, text=True, env=env, check=False,
    )
