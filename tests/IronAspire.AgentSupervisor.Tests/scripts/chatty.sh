#!/usr/bin/env bash
# Writes a numbered line every 0.2 s, every third one on stderr.
i=0
while true; do
  i=$((i + 1))
  if (( i % 3 == 0 )); then echo "tick $i" >&2; else echo "tick $i"; fi
  sleep 0.2
done
