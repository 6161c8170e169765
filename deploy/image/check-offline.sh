#!/usr/bin/env bash
# Offline check of the image: what can be proven without a registry, a Docker engine or a cluster.
#
# 1. Builds the image tar with Jib FROM scratch (the real base, eclipse-temurin, needs Docker Hub),
#    so the tar holds exactly our layers and our config (entrypoint, cmd, env, user, workdir).
# 2. Unpacks the layers into a root filesystem and adds a stand-in for the base: this machine's
#    Java 17 at /opt/java/openjdk (where the Temurin base has it), the shared libraries it and the
#    native libraries need, and /bin/sh.
# 3. Runs the image config's Entrypoint the way a container runtime would: chroot, the config's
#    uid:gid, working directory and environment, /dev, /proc and /sys mounted.
#
#   deploy/image/check-offline.sh            cpu image: --version
#   deploy/image/check-offline.sh demo       demo image: its default command, the full demo
#   deploy/image/check-offline.sh pod        cpu image as the cpu overlay's StatefulSet runs it: a
#                                            local KRaft broker with the five topics, the overlay's
#                                            args, env and app.properties (bootstrap.servers and
#                                            replication.factor pointed at that broker), the model
#                                            bind-mounted read-only at judge.dir, a state dir owned
#                                            by the uid; waits for /healthz 200, checks /metrics,
#                                            produces the demo sample, sends SIGTERM while it is
#                                            scoring (the exit must beat the grace period), starts
#                                            it again on the same state dir and waits until all 24
#                                            pairs are rewarded, each exactly once.
#
# Needs root (chroot, mount), kubectl for `pod` (kubectl kustomize), and the built jar
# (mvn -B -DskipTests -pl streams-app -am package). Uses 127.0.0.1:19092-19093 and :8080.
set -euo pipefail

mode="${1:-version}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
lib="$root/streams-app/target/lib"
work="$(mktemp -d /tmp/rewardstream-image-check.XXXXXX)"
rootfs="$work/rootfs"
mkdir -p "$rootfs" "$work/image"
broker_pid=""
worker_pid=""

# Stops what this script started (by pid), unmounts, and deletes the work directory only when
# nothing is mounted under it any more (never rm -rf through a mount).
cleanup() {
  stop_container_process
  [[ -n "$worker_pid" ]] && kill "$worker_pid" 2>/dev/null || true
  [[ -n "$broker_pid" ]] && kill "$broker_pid" 2>/dev/null && wait "$broker_pid" 2>/dev/null || true
  for m in models/judge sys proc; do
    if grep -q " $rootfs/$m " /proc/mounts; then
      umount "$rootfs/$m" 2>/dev/null || umount -l "$rootfs/$m" || true
    fi
  done
  if grep -q " $work" /proc/mounts; then
    echo "check-offline: still mounted under $work; left it in place" >&2
  else
    rm -rf --one-file-system "$work"
  fi
}
# The container's JVM (chrooted, started by run_container): SIGTERM, then SIGKILL after 90 s.
stop_container_process() {
  local pid
  pid="$(cat "$work/container.pid" 2>/dev/null || true)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 90); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 1
  done
  kill -KILL "$pid" 2>/dev/null || true
  sleep 1
}
trap cleanup EXIT

profile=()
tar_name=jib-image.tar
if [[ "$mode" == demo ]]; then
  profile=(-Pdemo)
  tar_name=jib-demo-image.tar
fi
mvn -B -q -f "$root/deploy/image/pom.xml" "${profile[@]}" -Djib.from.image=scratch \
  "-Djib.outputPaths.tar=target/$tar_name" process-resources jib:buildTar
tar -xf "$root/deploy/image/target/$tar_name" -C "$work/image"

python3 - "$work/image" "$rootfs" <<'PY'
import json, subprocess, sys
image, rootfs = sys.argv[1:]
manifest = json.load(open(f"{image}/manifest.json"))[0]
for layer in manifest["Layers"]:
    subprocess.run(["tar", "-xzf", f"{image}/{layer}", "-C", rootfs], check=True,
                   stderr=subprocess.DEVNULL)
config = json.load(open(f"{image}/{manifest['Config']}"))["config"]
json.dump(config, open(f"{image}/config.json", "w"))
print("image", manifest["RepoTags"], json.dumps(config, indent=1))
PY

# The stand-in base: a JRE at the Temurin path, its libraries, a shell.
java_home="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
mkdir -p "$rootfs/opt/java" "$rootfs/bin" "$rootfs/lib64" "$rootfs/tmp" "$rootfs/dev" \
  "$rootfs/proc" "$rootfs/sys"
chmod 1777 "$rootfs/tmp"
cp -rL "$java_home" "$rootfs/opt/java/openjdk" 2>/dev/null || true
cp -L /bin/dash "$rootfs/bin/sh"
cp -L /lib64/ld-linux-x86-64.so.2 "$rootfs/lib64/"
{
  find "$rootfs/opt/java/openjdk" -name '*.so' -o -path '*/bin/java'
  echo /bin/dash
} | xargs ldd 2>/dev/null | grep -o '/[^ ]*\.so[^ ]*' | sort -u |
  while read -r so; do
    case "$so" in "$rootfs"*) continue ;; esac
    mkdir -p "$rootfs$(dirname "$so")" && cp -L "$so" "$rootfs$so"
  done
for so in libstdc++.so.6 libgcc_s.so.1 libdl.so.2 librt.so.1 libpthread.so.0 libm.so.6; do
  cp -L "/lib/x86_64-linux-gnu/$so" "$rootfs/lib/x86_64-linux-gnu/$so"
done
# Device nodes of its own (a bind mount of the host's /dev would be one rm away from harm), a
# fresh proc and a read-only sysfs (ONNX Runtime reads CPU topology there).
for node in "null 1 3" "zero 1 5" "full 1 7" "random 1 8" "urandom 1 9" "tty 5 0"; do
  set -- $node
  mknod -m 666 "$rootfs/dev/$1" c "$2" "$3"
done
mkdir -p "$rootfs/dev/shm" && chmod 1777 "$rootfs/dev/shm"
mount -t proc proc "$rootfs/proc"
mount -t sysfs -o ro sysfs "$rootfs/sys"

# Entrypoint + args, image env + extra env (JSON), as the image's user in its working directory.
run_container() { # $1 = JSON list of args ("" = the image's Cmd), $2 = JSON object of extra env
  python3 - "$rootfs" "$work/image/config.json" "$1" "$2" "$work/container.pid" <<'PY'
import json, os, subprocess, sys
rootfs, config_file, args, extra_env, pid_file = sys.argv[1:]
config = json.load(open(config_file))
env = dict(e.split("=", 1) for e in config["Env"])
env.update(json.loads(extra_env or "{}"))
env.setdefault("PATH", "/opt/java/openjdk/bin:/usr/bin:/bin")
uid, gid = map(int, config["User"].split(":"))
argv = config["Entrypoint"] + (json.loads(args) if args else config["Cmd"])

def enter():
    os.chroot(rootfs)
    os.chdir(config["WorkingDir"])
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)

print("running", argv, "as", config["User"], "in", config["WorkingDir"], flush=True)
process = subprocess.Popen(argv, env=env, preexec_fn=enter)
open(pid_file, "w").write(str(process.pid))
sys.exit(process.wait())
PY
}

case "$mode" in
  version) run_container '["--version"]' '{}' ;;
  demo) run_container "" '{}' ;;
  pod) ;;
  *) echo "usage: $0 [version|demo|pod]" >&2; exit 2 ;;
esac
[[ "$mode" == pod ]] || exit 0

# --- pod: a broker, then the StatefulSet's container -------------------------------------------
cat > "$work/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093
advertised.listeners=PLAINTEXT://127.0.0.1:19092
controller.listener.names=CONTROLLER
controller.quorum.bootstrap.servers=127.0.0.1:19093
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$work/kafka-data
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
cluster_id="$(java -cp "$lib/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)"
java -cp "$lib/*" kafka.tools.StorageTool format --standalone -t "$cluster_id" \
  -c "$work/server.properties" >/dev/null 2>&1
java -Xmx512m -cp "$lib/*" kafka.Kafka "$work/server.properties" >"$work/broker.log" 2>&1 &
broker_pid=$!
cat > "$work/CreateTopics.java" <<'JAVA'
import java.util.*;
import org.apache.kafka.clients.admin.*;
public class CreateTopics {
  public static void main(String[] a) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", a[0]))) {
      List<NewTopic> topics = new ArrayList<>();
      for (int i = 1; i < a.length; i++) topics.add(new NewTopic(a[i], 3, (short) 1));
      admin.createTopics(topics).all().get();
    }
  }
}
JAVA
for _ in $(seq 1 30); do
  java -cp "$lib/*" "$work/CreateTopics.java" 127.0.0.1:19092 rollouts rewards rollouts-dlq \
    reward-stats reward-drift-alerts rollout-groups group-rewards >/dev/null 2>&1 && break
  sleep 2
done

kubectl kustomize "$root/deploy/k8s/overlays/cpu" >"$work/cpu.yaml"
mkdir -p "$rootfs/etc/rewardstream" "$rootfs/models/judge" "$rootfs/var/lib/rewardstream/state"
python3 - "$work/cpu.yaml" "$rootfs" "$work/pod.json" <<'PY'
import json, sys, yaml
rendered, rootfs, out = sys.argv[1:]
docs = list(yaml.safe_load_all(open(rendered)))
config = next(d for d in docs if d["kind"] == "ConfigMap")["data"]["app.properties"]
pod = next(d for d in docs if d["kind"] == "StatefulSet")["spec"]["template"]["spec"]
container = pod["containers"][0]
# The only changes: the Strimzi bootstrap service and three replicas do not exist here.
config = (config.replace("kafka-kafka-bootstrap.kafka.svc:9092", "127.0.0.1:19092")
                .replace("replication.factor=3", "replication.factor=1"))
open(f"{rootfs}/etc/rewardstream/app.properties", "w").write(config)
json.dump({"args": container["args"], "env": {e["name"]: e["value"] for e in container["env"]},
           "grace": pod["terminationGracePeriodSeconds"]}, open(out, "w"))
PY
chown 10001:10001 "$rootfs/var/lib/rewardstream/state"   # what fsGroup does for the PVC
mount --bind "$root/models/judge-tiny" "$rootfs/models/judge"
mount -o remount,bind,ro "$rootfs/models/judge"
args="$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["args"]))' "$work/pod.json")"
env="$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["env"]))' "$work/pod.json")"
grace="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["grace"])' "$work/pod.json")"
run_container "$args" "$env" >"$work/worker.log" 2>&1 &
worker_pid=$!

status=""
for _ in $(seq 1 120); do
  status="$(curl -s -w ' %{http_code}' http://127.0.0.1:8080/healthz || true)"
  [[ "$status" == *" 200" ]] && break
  sleep 5
done
echo "healthz: $status"
[[ "$status" == *" 200" ]] || { tail -20 "$work/worker.log"; exit 1; }
curl -s http://127.0.0.1:8080/metrics | grep -E '^rewardstream_' || { echo "no rewardstream metrics"; exit 1; }

"$root/rewardstream" produce --bootstrap-servers 127.0.0.1:19092 \
  --file "$root/demo/src/main/resources/samples/demo-rollouts.jsonl"
rewards_tail() {
  "$root/rewardstream" tail --bootstrap-servers 127.0.0.1:19092 --topic rewards --from-beginning \
    --idle-timeout 15 2>/dev/null | grep ' reward ' || true
}
wait_for_rewards() { # $1 = at least this many committed rewards
  local n=0
  for _ in $(seq 1 60); do
    n="$(rewards_tail | wc -l)"
    [[ "$n" -ge "$1" ]] && break
    sleep 5
  done
  echo "rewards committed: $n"
}
stop_worker() { # SIGTERM to the JVM (the container's PID 1) as the kubelet does; sets took
  local start
  start=$(date +%s)
  kill -TERM "$(cat "$work/container.pid")"
  wait "$worker_pid" || true
  worker_pid=""
  rm -f "$work/container.pid"
  took=$(($(date +%s) - start))
}

# Stop the worker while it is scoring, as a rollout or a drain would, then start it again on the
# same state directory: it must exit within the grace period, and the restarted worker must score
# the rest with no rollout rewarded twice.
judged() {
  curl -s http://127.0.0.1:8080/metrics |
    awk '/^rewardstream_judge_pairs_total/ {n += $2} END {print int(n)}'
}
for _ in $(seq 1 120); do # the warm-up's 2 pairs and one batch of 4: the next batch is in flight
  [[ "$(judged)" -ge 6 ]] && break
  sleep 1
done
echo "pairs judged before SIGTERM: $(judged)"
stop_worker
grep -E 'closing Kafka Streams|stopped;' "$work/worker.log" | cut -c1-200
echo "SIGTERM to exit while scoring: ${took} s (terminationGracePeriodSeconds: ${grace} s)"
[[ "$took" -lt "$grace" ]] || { echo "exit took longer than the grace period"; exit 1; }

run_container "$args" "$env" >"$work/worker-2.log" 2>&1 &
worker_pid=$!
wait_for_rewards 24
ids="$(rewards_tail | awk '{print $3}')"
total="$(echo "$ids" | grep -c .)"
distinct="$(echo "$ids" | sort -u | grep -c .)"
echo "after the restart: $total rewards, $distinct distinct rollout ids"
stop_worker
echo "SIGTERM to exit when idle: ${took} s"
[[ "$total" -eq 24 && "$distinct" -eq 24 ]]
