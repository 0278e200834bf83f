#!/usr/bin/env bash
# ./trynow bench NAME [args] — builds the bench module and runs io.trynow.bench.<Name>Bench.
# NAME is a class in bench/src/main/java/io/trynow/bench without the Bench suffix, lower case
# (store → StoreBench, messaging → MessagingBench, acquire → AcquireBench, provision → ProvisionBench).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name="${1:?usage: ./trynow bench NAME (see bench/src/main/java/io/trynow/bench)}"; shift || true
class="io.trynow.bench.$(tr '[:lower:]' '[:upper:]' <<<"${name:0:1}")${name:1}Bench"
cd "$root"
./mvnw -B -q -pl bench -am -DskipTests -Dspotless.check.skip=true package \
  dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >/dev/null
cp="$root/bench/target/classes:$(cat "$root/bench/target/classpath.txt")"
exec "$JAVA_HOME/bin/java" -XX:+UseParallelGC -Xmx2g -cp "$cp" "$class" "$@"
