"""The names verify-deployment reports are its registry `CHECKS`: every `Result(...)` the module
builds names a registered check (read from its syntax tree, so a new check function cannot report
a name the controls do not know), and every registered check is reported by some function."""
import ast
import pathlib

import verify_deployment as vd

SOURCE = pathlib.Path(vd.__file__).read_text(encoding="utf-8")


def names_of(expr: ast.expr) -> set[str] | None:
    """The check names an expression can take: a literal, or either branch of a conditional."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if isinstance(expr, ast.IfExp):
        body, orelse = names_of(expr.body), names_of(expr.orelse)
        return body | orelse if body is not None and orelse is not None else None
    return None


def reported_names() -> set[str]:
    """String constants a `Result(...)` takes as its check name, directly or through a local variable."""
    names: set[str] = set()
    for fn in ast.walk(ast.parse(SOURCE)):
        if not isinstance(fn, ast.FunctionDef):
            continue
        local: dict[str, set[str]] = {}
        # A loop over the report's assumptions (verify's PENDING results) names checks the controls name.
        looped = {n.target.id for n in ast.walk(fn) if isinstance(n, ast.For) and isinstance(n.target, ast.Name)}
        for node in ast.walk(fn):
            if isinstance(node, ast.Assign) and (found := names_of(node.value)) is not None:
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        local.setdefault(target.id, set()).update(found)
        for node in ast.walk(fn):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Result" and node.args:
                first = node.args[0]
                if isinstance(first, ast.Name) and first.id in looped:
                    continue
                if isinstance(first, ast.Name):
                    assert first.id in local, f"{fn.name}: Result({first.id}, ...) takes a name this test cannot read"
                    names |= local[first.id]
                else:
                    found = names_of(first)
                    assert found is not None, f"{fn.name}: Result(...) without a literal check name"
                    names |= found
    return names


def test_every_reported_check_is_registered_and_every_registered_check_is_reported():
    assert len(set(vd.CHECKS)) == len(vd.CHECKS)
    assert reported_names() == set(vd.CHECKS)
