#!/usr/bin/env bash
# Builds and lints every Bicep file with warnings as errors (infra/bicepconfig.json). Installs
# the Bicep CLI from NuGet when it is not on PATH (scripts/install-bicep.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bicep="$(scripts/install-bicep.sh | tail -n 1)"
shopt -s globstar nullglob
files=(infra/**/*.bicep)
if [ ${#files[@]} -eq 0 ]; then echo "no Bicep files under infra/"; exit 0; fi
status=0
for f in "${files[@]}"; do
  "$bicep" build "$f" --stdout >/dev/null || status=1
  "$bicep" lint "$f" || status=1
done
for p in infra/**/*.bicepparam; do
  "$bicep" build-params "$p" --stdout >/dev/null || status=1
done
exit $status
