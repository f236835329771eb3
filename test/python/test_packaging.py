"""The npm tarball and the wheel ship every run-time asset of src/ (the files that are not TypeScript)."""
import io
import tarfile
import zipfile
from pathlib import Path

from binding_kit import ROOT


def runtime_assets() -> list[str]:
    """src/ files that are not TypeScript and not tests, as paths relative to src/ (mirrors scripts/copy-assets.js)."""
    out = []
    for p in (ROOT / "src").rglob("*"):
        if not p.is_file() or p.suffix == ".ts":
            continue
        parts = p.relative_to(ROOT / "src").parts
        if any(x in ("__pycache__", ".pytest_cache", "tests") for x in parts):
            continue
        if p.name == "conftest.py" or (p.name.startswith("test_") and p.suffix == ".py"):
            continue
        out.append("/".join(parts))
    return sorted(out)


def tarball_members(data: bytes) -> set[str]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as t:
        return set(t.getnames())


def check_package(members: set[str]) -> None:
    assert "package/lib/index.js" in members
    assert "package/.jsii" in members
    for asset in runtime_assets():
        assert f"package/lib/{asset}" in members, f"run-time asset src/{asset} is missing from the package"
    assert not any(m.startswith("package/src/") for m in members), "src/ must not ship"
    assert not any(m.startswith("package/test/") for m in members), "tests must not ship"
    assert not any(Path(m).name.startswith("test_") for m in members), "Python tests must not ship"


def test_npm_tarball_ships_the_runtime_assets(tarball):
    check_package(tarball_members(tarball.read_bytes()))


def test_wheel_ships_the_runtime_assets(wheel):
    with zipfile.ZipFile(wheel) as z:
        inner = [n for n in z.namelist() if n.startswith("cdk_secure_delta_lake/_jsii/") and n.endswith(".tgz")]
        assert len(inner) == 1, z.namelist()
        check_package(tarball_members(z.read(inner[0])))
        assert any(n.endswith("METADATA") for n in z.namelist())
        metadata = z.read(next(n for n in z.namelist() if n.endswith("METADATA"))).decode()
        assert "Name: cdk-secure-delta-lake" in metadata
