#!/usr/bin/env bash
# `make install` and `make package`: cmake --install into a temporary prefix installs the binary,
# a unit whose ExecStart and EnvironmentFile point into that prefix (and which systemd-analyze
# verify accepts, the binary being there), the flags file, rules and dashboards; cpack builds a
# .deb with the binary in /usr/bin, the unit, /etc/default/nodeprobe as a conffile, its library
# dependencies and the maintainer scripts.
#   package_test.sh BUILD_DIR
set -euo pipefail
build=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "$*" >&2; exit 1; }

echo "== cmake --install"
prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log"
for f in bin/nodeprobe lib/systemd/system/nodeprobe.service etc/default/nodeprobe \
  share/nodeprobe/nodeprobe.rules.yaml share/nodeprobe/dashboards/node-overview.json \
  share/doc/nodeprobe/deploy.md; do
  [[ -e $prefix/$f ]] || fail "cmake --install did not install $f"
done
unit=$prefix/lib/systemd/system/nodeprobe.service
grep -qx "ExecStart=$prefix/bin/nodeprobe \$NODEPROBE_ARGS" "$unit" || fail "ExecStart: $(grep ExecStart "$unit")"
grep -qx "EnvironmentFile=-$prefix/etc/default/nodeprobe" "$unit" || fail "EnvironmentFile: $(grep EnvironmentFile "$unit")"
systemd-analyze verify "$unit" >"$tmp/verify.log" 2>&1 && [[ ! -s $tmp/verify.log ]] ||
  { cat "$tmp/verify.log" >&2; fail "systemd-analyze verify rejects the installed unit"; }
"$prefix/bin/nodeprobe" --version >/dev/null
# A second install keeps the flags file the administrator edited.
echo 'NODEPROBE_ARGS="--log.level=debug"' >"$prefix/etc/default/nodeprobe"
cmake --install "$build" --prefix "$prefix" >/dev/null
grep -q 'log.level=debug' "$prefix/etc/default/nodeprobe" || fail "reinstall overwrote the flags file"

echo "== cpack"
(cd "$tmp" && cpack -G DEB -B "$tmp/pkg" --config "$build/CPackConfig.cmake" >"$tmp/cpack.log" 2>&1) ||
  { cat "$tmp/cpack.log" >&2; fail "cpack failed"; }
deb=$(ls "$tmp"/pkg/*.deb)
dpkg-deb -c "$deb" | awk '{ print $6 }' >"$tmp/contents.txt"
for f in ./usr/bin/nodeprobe ./usr/lib/systemd/system/nodeprobe.service ./etc/default/nodeprobe \
  ./usr/share/nodeprobe/nodeprobe.rules.yaml ./usr/share/doc/nodeprobe/deploy.md; do
  grep -qx "$f" "$tmp/contents.txt" || fail "the package lacks $f"
done
grep -q "_CPack_Packages\|$tmp" "$tmp/contents.txt" && fail "the package holds staging paths"
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/lib/systemd/system/nodeprobe.service >"$tmp/deb.service"
grep -qx 'ExecStart=/usr/bin/nodeprobe $NODEPROBE_ARGS' "$tmp/deb.service" || fail "package unit: $(grep ExecStart "$tmp/deb.service")"
grep -qx 'EnvironmentFile=-/etc/default/nodeprobe' "$tmp/deb.service" || fail "package unit EnvironmentFile"
dpkg-deb -f "$deb" Package Version Depends >"$tmp/control.txt"
grep -q '^Package: nodeprobe$' "$tmp/control.txt" || fail "package name"
grep -q '^Depends:.*libbpf1' "$tmp/control.txt" || fail "no library dependencies: $(cat "$tmp/control.txt")"
dpkg-deb -e "$deb" "$tmp/control"
grep -qx /etc/default/nodeprobe "$tmp/control/conffiles" || fail "/etc/default/nodeprobe is not a conffile"
for script in postinst prerm postrm; do
  [[ -x $tmp/control/$script ]] || fail "no $script"
done
echo "package: $(basename "$deb") ($(grep ^Depends "$tmp/control.txt" | cut -c1-80)...)"
