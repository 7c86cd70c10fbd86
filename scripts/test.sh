#!/usr/bin/env bash
# Runs every test against real Redis, PostgreSQL and RabbitMQ (started by the test fixtures on free ports in temp
# folders), then the Python SDK's tests against the running app (scripts/test-python.sh), and prints one line
# "N passed, N failed, N skipped" computed from the TRX results and the Python suite's counts.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-prerequisites.sh --with-test-tools || exit 1

results="$(pwd)/TestResults"
rm -rf "$results"
mkdir -p "$results"

dotnet build IronAspire.sln -c Release -nologo -v q || { echo "0 passed, 1 failed"; exit 1; }
# The deployment tests validate rendered manifests with the Kubernetes schemas of an npm package (deploy/validate).
npm ci --prefix deploy/validate --no-audit --no-fund --loglevel=error || { echo "0 passed, 1 failed"; exit 1; }
# A test that hangs must fail the run, not stall it: the blame collector kills a test host whose test runs over
# 5 minutes (and names the test), and the whole run is bounded well under CI's limit.
timeout --kill-after=30s 40m dotnet test IronAspire.sln -c Release --no-build -nologo \
  --blame-hang-timeout 5m --blame-hang-dump-type none \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "$@"
status=$?

# The Python SDK against the real app (the AppHost started on free ports); its counts join the total below.
bash scripts/test-python.sh --no-build --counts "$results/python-sdk.counts"
python_status=$?

passed=0; failed=0; skipped=0; files=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  total=$(get total); executed=$(get executed); p=$(get passed); f=$(get failed); e=$(get error); t=$(get timeout); a=$(get aborted)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
  skipped=$((skipped + ${total:-0} - ${executed:-0}))
done

if [ "$files" -eq 0 ] || { [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; }; then
  # dotnet test failed without a failing test in any result file (a crashed test host, a build error).
  failed=$((failed + 1))
fi

# "passed failed skipped"; the script writes "0 1 0" before it starts the app, so an app that never came up is a failure.
read -r py_passed py_failed py_skipped < "$results/python-sdk.counts" 2>/dev/null || { py_passed=0; py_failed=1; py_skipped=0; }
if [ "$python_status" -ne 0 ] && [ "${py_failed:-0}" -eq 0 ]; then
  py_failed=1
fi
passed=$((passed + ${py_passed:-0}))
failed=$((failed + ${py_failed:-0}))
skipped=$((skipped + ${py_skipped:-0}))

# Name what failed just above the summary, so a CI log that keeps only its tail still says which test it was.
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  grep -o '<UnitTestResult [^>]*outcome="\(Failed\|Error\|Timeout\|Aborted\)"[^>]*>' "$trx" \
    | sed -n 's/.*testName="\([^"]*\)".*/FAILED: \1/p'
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ] && [ "$python_status" -eq 0 ]
