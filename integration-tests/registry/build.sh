#!/usr/bin/env bash
# Builds the test schema registry (Apicurio Registry 3.0.9, see pom.xml) into OUT_DIR/apicurio-registry.jar.
#
#   integration-tests/registry/build.sh OUT_DIR
#
# The integration-tests module runs this before its ITs. Everything comes from Maven Central into a
# private local repository (REWARDSTREAM_REGISTRY_REPO, default ~/.cache/rewardstream/registry-m2),
# because two stand-ins (standin/) are installed there and must never shadow real artifacts in
# ~/.m2/repository. First build: ~230 MB downloaded, ~2.5 min; later builds reuse the repository,
# and a jar built from the same inputs is reused as is.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
repo=${REWARDSTREAM_REGISTRY_REPO:-$HOME/.cache/rewardstream/registry-m2}
jar=$out/apicurio-registry.jar
log=$out/build.log

inputs=$(cd "$here" && find pom.xml settings.xml runner.properties build.sh standin src -type f | sort |
  xargs sha256sum | sha256sum | cut -c1-64)
if [[ -f $jar && -f $out/inputs.sha256 && "$(cat "$out/inputs.sha256")" == "$inputs" ]]; then
  echo "registry: reusing $jar"
  exit 0
fi

mvn_private() {
  # From an empty directory, so the goals without a project do not read a pom.xml.
  (cd "$work/empty" && mvn -B -Dquarkus.analytics.disabled=true -ntp -s "$here/settings.xml" -Dmaven.repo.local="$repo" "$@") >>"$log" 2>&1 || {
    echo "registry: build step failed: mvn $*" >&2
    tail -n 60 "$log" >&2
    echo "registry: full log in $log" >&2
    exit 1
  }
}

work=$out/build
rm -rf "$work" "$log"
mkdir -p "$work/src/main/resources" "$work/empty" "$repo"
cp -r "$here/pom.xml" "$here/src" "$work/"
echo "registry: building Apicurio Registry 3.0.9 for the ITs (log: $log, repository: $repo)"

install=org.apache.maven.plugins:maven-install-plugin:3.1.1
dependency=org.apache.maven.plugins:maven-dependency-plugin:3.6.1

# Stand-ins, into the private repository only.
mvn_private "$install:install-file" -Dfile="$here/standin/apicurio-registry-3.0.9.pom" \
  -DpomFile="$here/standin/apicurio-registry-3.0.9.pom" -Dpackaging=pom
mvn_private "$dependency:copy" -Dartifact=io.apicurio:apicurio-registry-config-index-deployment:3.0.6 \
  -DoutputDirectory="$work/standin"
mvn_private "$install:install-file" \
  -Dfile="$work/standin/apicurio-registry-config-index-deployment-3.0.6.jar" \
  -DpomFile="$here/standin/apicurio-registry-config-index-deployment-3.0.9.pom"

# The app's own configuration (build-time settings such as the storage kind live there), plus ours.
mvn_private "$dependency:copy" -Dartifact=io.apicurio:apicurio-registry-app:3.0.9 \
  -DoutputDirectory="$work/app"
(cd "$work/app" && jar xf apicurio-registry-app-3.0.9.jar application.properties)
cat "$work/app/application.properties" "$here/runner.properties" \
  >"$work/src/main/resources/application.properties"

mvn_private -f "$work/pom.xml" package -DskipTests
cp "$work/target/apicurio-registry-runner-3.0.9-runner.jar" "$jar"
echo "$inputs" >"$out/inputs.sha256"
rm -rf "$work"
echo "registry: built $jar"
