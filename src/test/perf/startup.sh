#!/usr/bin/env bash
# Start-up of `routecert serve` to its first 200 on /readyz (wall time and CPU time), and the latency
# of the first review after that, with and without an AOT cache. Loopback only; every process it starts, it stops.
#   src/test/perf/startup.sh JAR [RUNS] [JAVA_FLAGS...]
# e.g. startup.sh /tmp/aot/routecert.jar 5 -XX:+UseSerialGC -XX:AOTCache=/tmp/aot/routecert.aot
set -euo pipefail
jar=$1; runs=${2:-5}; shift 2 || shift $#
java=${JAVA:-${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java}
secure=${SECURE_PORT:-19443}; health=${HEALTH_PORT:-18080}
review='{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1","kind":{"group":"networking.k8s.io","version":"v1","kind":"Ingress"},"operation":"CREATE","namespace":"web","name":"shop","object":{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"shop","namespace":"web","annotations":{"cert-manager.io/cluster-issuer":"le"}},"spec":{"tls":[{"hosts":["shop.example.com"]}],"rules":[{"host":"shop.example.com"}]}}}}'
log=$(mktemp)
for run in $(seq "$runs"); do
  start=$(date +%s%N)
  "$java" "$@" -jar "$jar" serve --bind-address=127.0.0.1 --secure-port="$secure" --health-port="$health" \
      --kubernetes=off --log-level=warn >"$log" 2>&1 &
  pid=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$health/readyz"; do
    kill -0 "$pid" 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.01
  done
  ready=$(date +%s%N)
  ticks=$(awk '{print $14 + $15}' /proc/$pid/stat)   # CPU spent until ready, user + system
  curl -fsk -o /dev/null -H 'Content-Type: application/json' --data "$review" "https://127.0.0.1:$secure/mutate"
  first=$(date +%s%N)
  kill -TERM "$pid"; wait "$pid" || true
  printf 'run %d: ready after %d ms (CPU %d ms), first review %d ms\n' "$run" $(( (ready - start) / 1000000 )) \
      $(( ticks * 1000 / $(getconf CLK_TCK) )) $(( (first - ready) / 1000000 ))
done
grep -iE 'warn|error' "$log" | grep -v 'Picked up' | head -5 || true
rm -f "$log"
