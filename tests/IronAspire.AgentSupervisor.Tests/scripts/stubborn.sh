#!/usr/bin/env bash
# Ignores SIGTERM, and so does the child it spawns (an ignored signal stays ignored across fork and exec).
trap '' TERM
sleep 1000 &
echo "child $!"
echo "parent $$"
while true; do sleep 0.1; done
