#!/usr/bin/env bash
# Installs the Debian packages IronAspire runs on (real Redis, PostgreSQL, RabbitMQ; Chromium and Python for the
# tests) when any is missing. Safe to run again: it does nothing when everything is there.
set -euo pipefail

packages=(redis-server postgresql rabbitmq-server)
if [ "${1:-}" = "--with-test-tools" ]; then
  packages+=(chromium python3)
  # node validates the rendered Kubernetes manifests (deploy/validate); any node 18+ will do, Debian's when none is there.
  command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Supervisor, when it runs as root, runs agents as this unprivileged user (Supervisor:AgentUser, docs/security.md),
# so an agent cannot read the Supervisor's secrets.
if [ "$(id -u)" -eq 0 ] && ! id -u ironaspire-agent >/dev/null 2>&1; then
  echo "Creating the system user ironaspire-agent (agents run as it)"
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin ironaspire-agent
fi

# The Debian packages start their own system-wide servers where an init system runs; IronAspire starts private
# ones on free ports instead, so the system ones are not needed (and are left alone).
command -v dotnet >/dev/null || { echo "The .NET 10 SDK is required (dotnet on PATH)." >&2; exit 1; }
# The deployment tests render the overlays with kubectl's built-in kustomize (5.x: components; no cluster needed).
# Debian's kubernetes-client is too old for that, so kubectl must come with the machine.
if [ "${1:-}" = "--with-test-tools" ] && ! command -v kubectl >/dev/null; then
  echo "kubectl (1.27 or newer) is required for the deployment tests (tests/IronAspire.Deploy.Tests)." >&2
  exit 1
fi
