#!/usr/bin/env bash
# Starts, says so, and fails.
echo "started at $(date +%s.%N)"
exit 3
