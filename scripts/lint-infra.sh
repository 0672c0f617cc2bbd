#!/usr/bin/env bash
# Builds and lints every Bicep file with warnings as errors: infra/bicepconfig.json sets every
# linter rule to "error", and any compiler warning (BCP…) in the output also fails the run.
# Builds every .bicepparam file, and fails when the committed infra/main.json differs from a
# fresh build (regenerate it with `npm run build:infra`). Installs the pinned Bicep CLI from
# NuGet when it is not on PATH (scripts/install-bicep.sh).
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bicep="$(scripts/install-bicep.sh | tail -n 1)" || exit 1
shopt -s globstar nullglob
files=(infra/**/*.bicep)
params=(infra/**/*.bicepparam)
if [ ${#files[@]} -eq 0 ]; then echo "no Bicep files under infra/"; exit 0; fi
# main.bicepparam reads the azd environment; give the two required variables placeholder values.
export AZURE_ENV_NAME="${AZURE_ENV_NAME:-lint}"
export AZURE_LOCATION="${AZURE_LOCATION:-westeurope}"
status=0
log="$(mktemp)"
fresh="$(mktemp)"
trap 'rm -f "$log" "$fresh"' EXIT
check() {
  # Runs one bicep command; fails on a non-zero exit or on any warning it prints.
  if ! "$bicep" "$@" >/dev/null 2>"$log"; then status=1; fi
  if [ -s "$log" ]; then
    cat "$log" >&2
    if grep -q -E ': (Warning|Error) ' "$log"; then status=1; fi
  fi
}
for f in "${files[@]}"; do
  check build "$f" --stdout
  check lint "$f"
done
for p in "${params[@]}"; do
  check build-params "$p" --stdout
  check lint "$p"
done
if [ -f infra/main.bicep ]; then
  if "$bicep" build infra/main.bicep --stdout >"$fresh" 2>"$log"; then
    if ! cmp -s "$fresh" infra/main.json; then
      echo "infra/main.json is missing or differs from a fresh build of infra/main.bicep: run npm run build:infra and commit it" >&2
      diff -u infra/main.json "$fresh" | head -n 40 >&2
      status=1
    fi
  else
    cat "$log" >&2
    status=1
  fi
fi
if [ "$status" -eq 0 ]; then echo "infra: ${#files[@]} Bicep and ${#params[@]} parameter files build and lint clean; infra/main.json is current"; fi
exit $status
