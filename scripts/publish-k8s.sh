#!/usr/bin/env bash
# Writes the Kubernetes deployment generated from the Aspire model, without the Aspire CLI:
#   bash scripts/publish-k8s.sh <dir> [AppHost options, e.g. --Kubernetes:Registry=ghcr.io/acme --Kubernetes:ImageTag=1.2.0]
# <dir> gets base/, components/, overlays/{demo,prod,external}/ and aspire-manifest.json (see docs/deploy.md).
# It runs the AppHost's publish pipeline exactly as `aspire publish -o <dir>` does (--operation publish --step publish).
# CONFIGURATION (default Release) picks the build; NO_BUILD=1 uses the existing build output (the tests do).
set -euo pipefail
if [ $# -lt 1 ] || [ -z "$1" ] || [ "${1#-}" != "$1" ]; then
  echo "usage: bash scripts/publish-k8s.sh <output folder> [AppHost options]" >&2
  exit 2
fi
out="$(realpath -m "$1")"
shift
cd "$(dirname "$0")/.."
command -v dotnet >/dev/null || { echo "The .NET 10 SDK is required (dotnet on PATH)." >&2; exit 1; }

build=()
[ "${NO_BUILD:-0}" = "1" ] && build=(--no-build)
# The AppHost exits 0 even when a pipeline step failed (the Aspire CLI learns of it over its back channel), so success
# is judged by what was written: the step replaces base/, and the manifest step writes aspire-manifest.json.
rm -rf "$out/base" "$out/aspire-manifest.json"
dotnet run --project IronAspire.AppHost -c "${CONFIGURATION:-Release}" --no-launch-profile "${build[@]}" -- \
  --operation publish --step publish --output-path "$out" "$@"
if [ ! -f "$out/base/kustomization.yaml" ] || [ ! -f "$out/aspire-manifest.json" ]; then
  echo "publish-k8s: the publish pipeline failed (see the errors above); nothing complete was written to $out" >&2
  exit 1
fi
echo "publish-k8s: wrote $out (render: kubectl kustomize $out/overlays/demo)"
