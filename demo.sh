#!/usr/bin/env bash
# The Portmesh demo: builds the project, then starts an embedded Cassandra, three controller nodes
# (separate JVMs), three simulated hosts with their agents and VMs, sends traffic across VXLAN, moves
# a VM live under numbered traffic and prints a short report (also written to work/demo/report.txt). Options: see --help.
set -euo pipefail
cd "$(dirname "$0")"
./mvnw -q -B install -DskipTests -Dspotless.check.skip=true
# the demo prints its own progress and report; component logs at WARN (PORTMESH_LOG_LEVEL=INFO for all)
export PORTMESH_LOG_LEVEL="${PORTMESH_LOG_LEVEL:-WARN}"
exec java -cp "loadtest/target/classes:$(cat loadtest/target/classpath.txt)" io.portmesh.loadtest.demo.DemoMain "$@"
