#!/usr/bin/env bash
# Puts Bicep CLI $BICEP_VERSION (default 0.49.2) at .tools/bicep/bicep unless `bicep` on PATH is
# that version. The CLI ships as the self-contained executable tools/bicep inside the NuGet package
# Azure.Bicep.CommandLine.linux-x64; a throw-away project restores it with the .NET SDK, so nothing
# is installed system-wide.
set -euo pipefail
version="${BICEP_VERSION:-0.49.2}"
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.tools/bicep"
# Only the pinned version is used: infra/main.json is compared byte for byte with a fresh build,
# and the linter's API-version list comes with the CLI.
has_version() { "$1" --version 2>/dev/null | grep -q "Bicep CLI version $version "; }
if command -v bicep >/dev/null 2>&1 && has_version "$(command -v bicep)"; then command -v bicep; exit 0; fi
if [ -x "$dest/bicep" ] && has_version "$dest/bicep"; then echo "$dest/bicep"; exit 0; fi
command -v dotnet >/dev/null 2>&1 || { echo "install-bicep: no Bicep CLI $version and no dotnet to restore it" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/restore.csproj" <<PROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="Azure.Bicep.CommandLine.linux-x64" Version="[$version]" /></ItemGroup>
</Project>
PROJ
dotnet restore "$work/restore.csproj" --packages "$work/packages" >&2
exe="$(find "$work/packages" -type f -path '*tools/bicep' | head -n 1)"
[ -n "$exe" ] || { echo "install-bicep: tools/bicep not found in the package" >&2; exit 1; }
mkdir -p "$dest"
cp "$exe" "$dest/bicep"
chmod +x "$dest/bicep"
echo "$dest/bicep"
