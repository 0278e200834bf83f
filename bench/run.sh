#!/usr/bin/env bash
# ./trynow bench NAME [args] — builds the bench module and runs io.trynow.bench.<Name>Bench.
# NAME is a class in bench/src/main/java/io/trynow/bench without the Bench suffix, lower case
# (store → StoreBench, messaging → MessagingBench, acquire → AcquireBench, provision → ProvisionBench).
# The bench module (and what it needs: platform, shared-model, test-support) is packaged only when
# their sources changed since the last package here (bench/target/run.stamp), as ./trynow build
# does for the services: ~30 s of Maven less per bench run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name="${1:?usage: ./trynow bench NAME (see bench/src/main/java/io/trynow/bench)}"; shift || true
class="io.trynow.bench.$(tr '[:lower:]' '[:upper:]' <<<"${name:0:1}")${name:1}Bench"
cd "$root"
# shellcheck source=../deploy/lib/build.sh
source "$root/deploy/lib/build.sh" # source_stamp, shared with ./trynow's build skip
stamp="$(source_stamp pom.xml .mvn bench platform shared-model test-support)"
current=0
if [ -s bench/target/classpath.txt ] && [ -d bench/target/classes ] &&
  [ "$(cat bench/target/run.stamp 2>/dev/null)" = "$stamp" ]; then
  current=1 # ... and every jar of the class path still there (a clean elsewhere removes them)
  IFS=: read -r -a entries <bench/target/classpath.txt || true # (no newline at its end)
  for e in "${entries[@]}"; do [ -e "$e" ] || current=0; done
fi
if [ "$current" = 0 ]; then
  ./mvnw -B -q -pl bench -am -DskipTests -Dspotless.check.skip=true package \
    dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >/dev/null
  echo "$stamp" >bench/target/run.stamp
fi
cp="$root/bench/target/classes:$(cat "$root/bench/target/classpath.txt")"
opts=()
if [ "$name" = crowd ]; then
  # The crowd's visitors share the two cores with the stack and the engine; a real crowd's browsers
  # run elsewhere. With C2 the bench's own compiler still used 0.9-1.6 CPU-s during the crowd after
  # its client warm-up (C2 compiles late and recompiles on the crowd's paths), CPU the engine needed
  # and the floor's docker CLI loops never cost. C1 alone compiles the client within its warm-up.
  opts+=(-XX:TieredStopAtLevel=1)
fi
exec "$JAVA_HOME/bin/java" -XX:+UseParallelGC -Xmx2g "${opts[@]}" -cp "$cp" "$class" "$@"
