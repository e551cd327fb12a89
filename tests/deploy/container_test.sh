#!/usr/bin/env bash
# deploy/container/Dockerfile cannot be built here (no container engine): check what can be
# checked without one. The runtime stage's packages exist in Debian 12 and, with what they
# depend on, provide every shared library the built binary links; the build stage installs every
# library package scripts/install-deps.sh lists for the build.
#   container_test.sh NODEPROBE_BINARY REPO_ROOT
set -euo pipefail
binary=$1
repo=$2
dockerfile=$repo/deploy/container/Dockerfile
fail() { echo "$*" >&2; exit 1; }

# The package lists of the two `apt-get install` commands (backslash-continued lines).
stage_packages() {
  awk -v stage="$1" '
    /^FROM / { n++ }
    n == stage && /apt-get install/ { on = 1 }
    on { print; if ($0 !~ /\\$/) on = 0 }' "$dockerfile" |
    tr ' \\' '\n\n' | grep -E '^[a-z0-9][a-z0-9.+-]+$' |
    grep -vx -e apt-get -e install -e rm -e '&&' -e update | sort -u
}
runtime=$(stage_packages 2)
build=$(stage_packages 1)
[[ -n $runtime && -n $build ]] || fail "could not read the package lists of $dockerfile"

# One apt-cache call for all (each call reads the whole package cache).
# shellcheck disable=SC2086
known=$(apt-cache policy $runtime $build | awk '/^[a-z0-9]/ { sub(/:$/, ""); p = $1 }
  /Candidate:/ && $2 != "(none)" { print p }' | sort -u)
for p in $runtime $build; do
  grep -qx "$p" <<<"$known" || fail "$p (in $dockerfile) is not a Debian package here"
done

# shellcheck disable=SC2086
provided=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
  --no-breaks --no-replaces --no-enhances $runtime | grep -v '^ ' | sed 's/:amd64$//' | sort -u)
# The packages owning the binary's libraries (by their real paths: /lib is a link to /usr/lib).
libs=$(ldd "$binary" | awk '/=>/ { print $3 }' | xargs realpath | sort -u)
# dpkg knows some of them by their /lib path (merged /usr): ask for both.
# shellcheck disable=SC2086
owners=$(dpkg -S $libs $(sed 's#^/usr/lib/#/lib/#' <<<"$libs") 2>/dev/null |
  sed 's/:[a-z0-9]*: / /; s/: / /' || true)
missing=()
for lib in $libs; do
  pkg=$(awk -v l="${lib##*/}" '{ n = split($2, p, "/") } p[n] == l { print $1 }' <<<"$owners" |
    head -1)
  [[ -n $pkg ]] || fail "no package owns $lib"
  grep -qx "$pkg" <<<"$provided" || missing+=("$pkg ($(basename "$lib"))")
done
[[ ${#missing[@]} -eq 0 ]] || fail "the runtime image lacks: ${missing[*]}"

# Build stage: every -dev package and build tool of install-deps.sh's build section.
deps=$(sed -n '/^packages=(/,/^)/p' "$repo/scripts/install-deps.sh" | grep -v '^ *#' |
  tr ' ' '\n' | grep -E -e '-dev$' -e '^(cmake|pkg-config|clang|llvm|bpftool|build-essential)$' |
  grep -v -e '^libgtest' -e '^libgmock' -e '^libfuse3' | sort -u)
for p in $deps; do
  grep -qx "$p" <<<"$build" || fail "the build stage does not install $p (scripts/install-deps.sh)"
done
echo "container: $(wc -w <<<"$runtime") runtime packages cover the binary's libraries;" \
  "the build stage has the $(wc -w <<<"$deps") build packages"
