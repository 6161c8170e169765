#!/usr/bin/env bash
# Offline check of the image: what can be proven without a registry or a Docker engine.
#
# 1. Builds the demo image tar with Jib FROM scratch (the real base, eclipse-temurin, needs Docker
#    Hub), so the tar holds exactly our layers and our config (entrypoint, cmd, env, user, workdir).
# 2. Unpacks the layers into a root filesystem and adds a stand-in for the base: this machine's
#    Java 17 at /opt/java/openjdk (where the Temurin base has it), the shared libraries it and the
#    native libraries need, and /bin/sh.
# 3. Runs the image config's Entrypoint + Cmd the way a container runtime would: chroot, the
#    config's uid:gid, working directory and environment, /dev, /proc and /sys mounted.
#
# Needs root (chroot, mount) and a built jar (mvn -B -DskipTests -pl streams-app -am package).
#   deploy/image/check-offline.sh            # runs --version
#   deploy/image/check-offline.sh demo       # runs the image's default command: the full demo
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d /tmp/rewardstream-image-check.XXXXXX)"
rootfs="$work/rootfs"
mkdir -p "$rootfs" "$work/image"

cleanup() {
  for m in sys proc dev; do umount "$rootfs/$m" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

mvn -B -q -f "$root/deploy/image/pom.xml" -Pdemo -Djib.from.image=scratch \
  -Djib.outputPaths.tar=target/jib-demo-image.tar process-resources jib:buildTar
tar -xf "$root/deploy/image/target/jib-demo-image.tar" -C "$work/image"

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
mkdir -p "$rootfs/opt/java" "$rootfs/bin" "$rootfs/lib64" "$rootfs/tmp" "$rootfs/dev" "$rootfs/proc" "$rootfs/sys"
chmod 1777 "$rootfs/tmp"
cp -rL "$java_home" "$rootfs/opt/java/openjdk" 2>/dev/null || true
cp -L /bin/dash "$rootfs/bin/sh"
cp -L /lib64/ld-linux-x86-64.so.2 "$rootfs/lib64/"
{
  find "$rootfs/opt/java/openjdk" -name '*.so' -o -path '*/bin/java'
  echo /bin/dash
} | xargs ldd 2>/dev/null | grep -o '/[^ ]*\.so[^ ]*' | sort -u |
  while read -r lib; do
    case "$lib" in "$rootfs"*) continue ;; esac
    mkdir -p "$rootfs$(dirname "$lib")" && cp -L "$lib" "$rootfs$lib"
  done
for lib in libstdc++.so.6 libgcc_s.so.1 libdl.so.2 librt.so.1 libpthread.so.0 libm.so.6; do
  cp -L "/lib/x86_64-linux-gnu/$lib" "$rootfs/lib/x86_64-linux-gnu/$lib"
done
mount --bind /dev "$rootfs/dev"
mount -t proc proc "$rootfs/proc"
mount --bind /sys "$rootfs/sys"

python3 - "$rootfs" "$work/image/config.json" "${@:---version}" <<'PY'
import json, os, subprocess, sys
rootfs, config_file, *args = sys.argv[1:]
config = json.load(open(config_file))
env = dict(e.split("=", 1) for e in config["Env"])
env.setdefault("PATH", "/opt/java/openjdk/bin:/usr/bin:/bin")
uid, gid = map(int, config["User"].split(":"))
argv = config["Entrypoint"] + (config["Cmd"] if args == ["demo"] and config["Cmd"] == ["demo"] else args)

def enter():
    os.chroot(rootfs)
    os.chdir(config["WorkingDir"])
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)

print("running", argv, "as", config["User"], "in", config["WorkingDir"], flush=True)
sys.exit(subprocess.run(argv, env=env, preexec_fn=enter).returncode)
PY
