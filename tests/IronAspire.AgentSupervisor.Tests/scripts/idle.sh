#!/usr/bin/env bash
# An agent that just stays up (and leaves a grandchild, to check the whole group goes).
sleep 1000 &
echo "child $!"
while true; do sleep 0.2; done
