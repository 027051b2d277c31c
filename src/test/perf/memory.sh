#!/usr/bin/env bash
# Resident memory of `routecert serve` idle and under a bounded load of AdmissionReviews
# (AdmissionLoad.java), for sizing the Deployment's resources. Loopback only.
#   src/test/perf/memory.sh JAR SECONDS CONCURRENCY [JAVA_FLAGS...]
# e.g. memory.sh target/routecert.jar 60 8 -XX:+UseSerialGC -Xmx128m -XX:+ExitOnOutOfMemoryError
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jar=$1; seconds=$2; concurrency=$3; shift 3
java=${JAVA:-${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java}
secure=${SECURE_PORT:-19443}; health=${HEALTH_PORT:-18080}
work=$(mktemp -d)
"$java" "$@" -jar "$jar" serve --bind-address=127.0.0.1 --secure-port="$secure" --health-port="$health" \
    --kubernetes=off --log-level=warn --self-signed-cert-out="$work/cert.pem" >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
until curl -fs -o /dev/null "http://127.0.0.1:$health/readyz"; do kill -0 $pid 2>/dev/null || { cat "$work/serve.log"; exit 1; }; sleep 0.05; done
rss() { awk '/^VmRSS/ {print int($2/1024)}' /proc/$pid/status; }
hwm() { awk '/^VmHWM/ {print int($2/1024)}' /proc/$pid/status; }
cpu() { awk '{print $14 + $15}' /proc/$pid/stat; }   # clock ticks, user + system
echo "ready: RSS $(rss) MiB"
sleep 20
echo "idle 20 s: RSS $(rss) MiB (peak so far $(hwm) MiB)"
ticks=$(getconf CLK_TCK); before=$(cpu)
( while kill -0 $pid 2>/dev/null; do rss >>"$work/samples"; sleep 1; done ) &
sampler=$!
"$java" "$here/AdmissionLoad.java" "$secure" "$work/cert.pem" "$seconds" "$concurrency" "${LARGE_EVERY:-50}" || {
  echo "the load failed; routecert's log ends with:"; tail -5 "$work/serve.log"; exit 1; }
after=$(cpu)
kill $sampler 2>/dev/null || true
echo "under load: RSS max sampled $(sort -n "$work/samples" | tail -1) MiB, peak (VmHWM) $(hwm) MiB; CPU $(( (after - before) / ticks )) s over ${seconds} s"
sleep 10
echo "10 s after the load: RSS $(rss) MiB"
grep -iE 'OutOfMemory|error' "$work/serve.log" | head -5 || true
