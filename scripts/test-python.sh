#!/usr/bin/env bash
# The Python half of the test command.
#  1. Builds the distributables when src/ changed since the last wheel: jsii, API.md, the README
#     examples (jsii-rosetta --strict), the npm tarball and the wheel.
#  2. Runs the pytest suites: packaging and the Python binding (a clean venv with the wheel),
#     and the Glue job script's tests where they exist.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

wheel=$(ls dist/python/*.whl 2>/dev/null | head -n 1 || true)
tarball=$(ls dist/js/*.tgz 2>/dev/null | head -n 1 || true)
stale=1
if [ -n "$wheel" ] && [ -n "$tarball" ]; then
  newer=$(find src rosetta README.md package.json .projenrc.ts -newer "$wheel" -type f -not -path '*/__pycache__/*' 2>/dev/null | head -n 1)
  [ -z "$newer" ] && stale=0
fi
if [ "$stale" = 1 ]; then
  echo "[test:python] building the distributables (jsii, API.md, README examples, npm tarball, wheel)"
  rm -rf dist
  npx projen compile
  npx projen post-compile
  npx projen package:js
  npx projen package:python
fi

suites=(test/python)
for d in src/glue/job-script src/audit; do
  [ -d "$d" ] && suites+=("$d")
done
set +e
python -m pytest -q -p no:cacheprovider -W "ignore:distutils Version classes are deprecated:DeprecationWarning" "${suites[@]}"
rc=$?
set -e
# pytest exits 5 when it collects nothing: that is a failure here, not a pass.
exit $rc
