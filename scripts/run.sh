#!/usr/bin/env bash
# Runs IronAspire: the AppHost starts Redis, PostgreSQL, RabbitMQ and every service, with the MockProvider as the
# upstream when no provider key is configured, and a demo agent under supervision.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-prerequisites.sh
dotnet build IronAspire.AppHost -c Release -nologo -v q
exec dotnet run --project IronAspire.AppHost -c Release --no-build -- "$@"
