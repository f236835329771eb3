"""Every code snippet of the README runs as a user runs it.

- A **complete** snippet (it builds its own `App` and calls `app.synth()`) runs as written: the
  Python ones with the built wheel in a clean virtual environment, the TypeScript ones against the
  packed npm tarball (installed into a fresh node_modules beside aws-cdk-lib and constructs), and
  each must synthesize a template with the library's resources.
- A **fragment** (everything else) runs inside a fixture stack: Python fragments here (the fixture
  gives `self`, the usual imports and a `schema`), TypeScript fragments through jsii-rosetta's
  strict compile against `rosetta/default.ts-fixture` (part of the build).

A snippet that fails breaks the test command.
"""
import json
import os
import re
import subprocess
import tarfile
import textwrap
from pathlib import Path

import pytest

from binding_kit import ROOT, run_python

README = ROOT / "README.md"
DOCS = [README, *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```(python|ts)(?: [^\n]*)?\n(.*?)^```", re.S | re.M)

PY_FIXTURE = '''\
import aws_cdk as cdk
from aws_cdk import Duration, RemovalPolicy, Stack, aws_iam as iam, aws_kms as kms, aws_s3 as s3
from constructs import Construct
import cdk_secure_delta_lake as sdl


class Fixture(Stack):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        schema = sdl.TableSchema.of([sdl.TableColumn(name="id", type=sdl.ColumnType.LONG)])
{body}


app = cdk.App(outdir={outdir!r})
Fixture(app, "Fixture")
app.synth()
'''


def snippets(language: str, files: list[Path] | None = None) -> list[tuple[str, str]]:
    """(where, code) of every block of a language: `README.md:99`."""
    out = []
    for f in files or DOCS:
        text = f.read_text()
        rel = f.relative_to(ROOT)
        out += [(f"{rel}:{text[: m.start()].count(chr(10)) + 1}", m.group(2)) for m in BLOCK.finditer(text) if m.group(1) == language]
    return out


def complete(code: str) -> bool:
    return "app.synth()" in code and "cdk_secure_delta_lake" in code or "app.synth()" in code and "cdk-secure-delta-lake" in code


def synthesized(outdir: Path) -> list[dict]:
    templates = [json.loads(p.read_text()) for p in outdir.glob("*.template.json")]
    assert templates, f"nothing synthesized into {outdir}"
    return templates


def test_the_readme_has_a_complete_app_in_each_language():
    assert any(complete(code) for _, code in snippets("python", [README])), "the README needs a complete Python app"
    assert any(complete(code) for _, code in snippets("ts", [README])), "the README needs a complete TypeScript app"


@pytest.mark.parametrize("line,code", snippets("python"), ids=lambda x: x if isinstance(x, str) and ".md:" in x else "")
def test_python_snippet_runs_with_the_wheel(binding_python, tmp_path, line, code):
    outdir = tmp_path / "cdk.out"
    if complete(code):
        script = code
        env_outdir = {"CDK_OUTDIR": str(outdir)}
    else:
        # As jsii-rosetta does, the fragment's imports go to the top, the rest into the stack.
        lines = code.splitlines()
        imports = [l for l in lines if l.startswith(("import ", "from "))]
        body = "\n".join(l for l in lines if not l.startswith(("import ", "from ")))
        script = "\n".join(imports) + "\n" + PY_FIXTURE.format(body=textwrap.indent(body, " " * 8), outdir=str(outdir))
        env_outdir = {}
    path = tmp_path / "app.py"
    path.write_text(script)
    os.environ.update(env_outdir)
    try:
        result = run_python(binding_python, path, cwd=tmp_path)
    finally:
        for k in env_outdir:
            os.environ.pop(k, None)
    assert result.returncode == 0, f"{line}:\n{script}\n{result.stderr[-3000:]}"
    if not outdir.exists():  # a complete app synthesizes into ./cdk.out unless it names an outdir
        outdir = tmp_path / "cdk.out"
    synthesized(outdir)


@pytest.fixture(scope="module")
def ts_project(tarball, tmp_path_factory) -> Path:
    """A fresh TypeScript app folder: the packed library, and aws-cdk-lib and constructs as a user installs them."""
    project = tmp_path_factory.mktemp("ts-user-app")
    modules = project / "node_modules"
    modules.mkdir()
    with tarfile.open(tarball) as t:
        t.extractall(project / "unpacked", filter="data")
    (project / "unpacked" / "package").rename(modules / "cdk-secure-delta-lake")
    for dep in ("aws-cdk-lib", "constructs"):
        (modules / dep).symlink_to(ROOT / "node_modules" / dep)
    (project / "tsconfig.json").write_text(json.dumps({"compilerOptions": {
        "target": "ES2022", "module": "commonjs", "strict": True, "esModuleInterop": True, "skipLibCheck": True}}))
    return project


@pytest.mark.parametrize("line,code", [s for s in snippets("ts") if complete(s[1])], ids=lambda x: x if isinstance(x, str) and ".md:" in x else "")
def test_typescript_app_synthesizes_against_the_packed_library(ts_project, tmp_path, line, code):
    app = ts_project / f"app_{re.sub(r'[^A-Za-z0-9]', '_', line)}.ts"
    app.write_text(code)
    outdir = tmp_path / "cdk.out"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CDK_DEFAULT_")}
    env["CDK_OUTDIR"] = str(outdir)
    ts_node = ROOT / "node_modules" / ".bin" / "ts-node"
    result = subprocess.run([str(ts_node), "-P", "tsconfig.json", app.name], cwd=ts_project, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, f"{line}:\n{code}\n{result.stderr[-3000:]}"
    templates = synthesized(outdir)
    types = {r["Type"] for t in templates for r in t.get("Resources", {}).values()}
    assert "AWS::S3::BucketPolicy" in types


def test_typescript_fragments_of_the_docs_compile_against_the_fixture(ts_project):
    """The README's fragments are compiled by jsii-rosetta in the build; those of docs/ here, the
    same way: each placed in rosetta/default.ts-fixture, compiled strictly against the packed library."""
    fixture = (ROOT / "rosetta" / "default.ts-fixture").read_text()
    fragments = [(where, code) for where, code in snippets("ts", DOCS[1:]) if not complete(code)]
    files = []
    for i, (where, code) in enumerate(fragments):
        imports = "".join(l + "\n" for l in code.splitlines() if l.startswith("import "))
        body = "\n".join(l for l in code.splitlines() if not l.startswith("import "))
        f = ts_project / f"fragment_{i}.ts"
        f.write_text(f"// {where}\n{imports}{fixture.replace('/// here', body)}")
        files.append(f.name)
    if not files:
        return
    tsc = ROOT / "node_modules" / ".bin" / "tsc"
    result = subprocess.run([str(tsc), "--ignoreConfig", "--noEmit", "--strict", "--skipLibCheck", "--esModuleInterop", "--target", "ES2022", "--module", "commonjs", *files],
                            cwd=ts_project, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-4000:]
