#!/usr/bin/env bash
# Puts a Bicep CLI at .tools/bicep/bicep when `bicep` is not on PATH. The CLI ships as the
# self-contained executable tools/bicep inside the NuGet package Azure.Bicep.CommandLine.linux-x64;
# a throw-away project restores it with the .NET SDK, so nothing is installed system-wide.
set -euo pipefail
version="${BICEP_VERSION:-0.49.2}"
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.tools/bicep"
if command -v bicep >/dev/null 2>&1; then command -v bicep; exit 0; fi
if [ -x "$dest/bicep" ]; then echo "$dest/bicep"; exit 0; fi
command -v dotnet >/dev/null 2>&1 || { echo "install-bicep: neither bicep nor dotnet is on PATH" >&2; exit 1; }
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
