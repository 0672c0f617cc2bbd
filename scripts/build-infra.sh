#!/usr/bin/env bash
# Compiles infra/main.bicep into infra/main.json, the ARM template the contract test
# (test/unit/infra/contract.test.ts) reads, so `npm test` never needs the Bicep CLI.
# lint-infra.sh fails when the committed file differs from a fresh build: run this after every
# change under infra/ and commit both.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bicep="$(scripts/install-bicep.sh | tail -n 1)"
"$bicep" build infra/main.bicep --outfile infra/main.json
echo "infra/main.json rebuilt with $("$bicep" --version)"
