#!/usr/bin/env bash
# Runs the Python SDK's unittest suite (sdk/python/tests) against the REAL running app: starts the AppHost on free ports
# with a fresh state folder and a known admin key, waits until the Supervisor's /health answers, runs the suite, and
# stops the AppHost with SIGTERM. Writes "passed failed skipped" counts to the file given as --counts (default
# TestResults/python-sdk.counts); a failure to start the app counts as one failed test, never as zero tests.
#   bash scripts/test-python.sh [--no-build] [--counts FILE] [unittest test names...]
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

build=1
counts="$root/TestResults/python-sdk.counts"
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0; shift ;;
    --counts) counts="$2"; shift 2 ;;
    *) break ;;
  esac
done
mkdir -p "$(dirname "$counts")"
echo "0 1 0" > "$counts" # until the suite has run: the app not starting is a failure

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

state=$(mktemp -d /tmp/ironaspire-pytest.XXXXXX)
chmod 755 "$state" # as root, PostgreSQL and RabbitMQ run as their own users and need to reach their folders in it
router_port=$(free_port)
supervisor_port=$(free_port)
admin_key=$(python3 -c 'import secrets; print("pytest-admin-" + secrets.token_hex(16))')
app_pid=""

# The one place that knows how to run the app (the AppHost options stay when it moves onto real Aspire). It runs in
# its own process group, so that stop_app reaches `dotnet run` and the AppHost under it.
start_app() {
  IRONASPIRE_ADMIN_KEY="$admin_key" setsid dotnet run --project IronAspire.AppHost -c Release --no-build -- \
    --state "$state" --router-port "$router_port" --supervisor-port "$supervisor_port" --AppHost:SampleAgent=false \
    > "$state/apphost.log" 2>&1 &
  app_pid=$!
}

stop_app() {
  [ -n "$app_pid" ] || return 0
  kill -TERM -- "-$app_pid" 2>/dev/null
  # The AppHost stops the services (10 s grace each), then the servers; give it time, then insist.
  for _ in $(seq 1 120); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.5; done
  kill -KILL -- "-$app_pid" 2>/dev/null
  wait "$app_pid" 2>/dev/null
  app_pid=""
}

cleanup() { stop_app; rm -rf "$state"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$build" -eq 1 ]; then
  dotnet build IronAspire.AppHost -c Release -nologo -v q || { echo "Python SDK tests: the AppHost did not build"; exit 1; }
fi

start_app
supervisor="http://127.0.0.1:$supervisor_port"
ready=0
for _ in $(seq 1 300); do
  if ! kill -0 "$app_pid" 2>/dev/null; then break; fi
  if python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$supervisor/health" 2>/dev/null; then
    ready=1; break
  fi
  sleep 1
done
if [ "$ready" -ne 1 ]; then
  echo "Python SDK tests: the app did not start (Supervisor $supervisor/health); last AppHost output:"
  tail -n 40 "$state/apphost.log"
  exit 1
fi

IRONASPIRE_SUPERVISOR_URL="$supervisor" IRONASPIRE_ADMIN_KEY="$admin_key" PYTHONPATH="$root/sdk/python" \
  python3 "$root/sdk/python/tests/run.py" --counts "$counts" "$@"
status=$?
if [ "$status" -ne 0 ]; then
  echo "Python SDK tests failed; last AppHost output:"
  tail -n 40 "$state/apphost.log"
fi
exit "$status"
