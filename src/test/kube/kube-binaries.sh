#!/usr/bin/env bash
# Builds kube-apiserver and kube-controller-manager from Debian's `kubernetes` source package
# and caches them outside the repo, keyed by the Debian version, so only the first run pays.
# Installs every Debian package the integration tests need (Go, etcd, iproute2, ...).
#
#   ROUTECERT_KUBE_CACHE   cache root (default /var/cache/routecert/kube)
#   ROUTECERT_KUBE_REBUILD=1   ignore a valid cache and build again
#
# Usage: kube-binaries.sh [--properties-out FILE]
#   FILE receives routecert.kube.bin / routecert.kube.etcd for Maven Failsafe.
# Last line printed on success: `KUBE_BIN_DIR=<dir>` (the line before: `ETCD=<path>`).
set -euo pipefail

readonly SRC_PACKAGE=kubernetes
readonly CACHE_ROOT="${ROUTECERT_KUBE_CACHE:-/var/cache/routecert/kube}"
readonly BINARIES=(kube-apiserver kube-controller-manager)
readonly BUILD_PACKAGES=(golang-go golang-github-modern-go-reflect2-dev rsync dpkg-dev make)
readonly RUNTIME_PACKAGES=(etcd-server iproute2 procps jq)
readonly MIN_FREE_GB=6
readonly DEB_SRC_FILE=/etc/apt/sources.list.d/routecert-debian-src.sources

step() { printf '[kube-binaries] %s\n' "$*"; }
die() { printf '[kube-binaries] FAILED: %s\n' "$*" >&2; exit 1; }

apt_updated=0
# Refreshes apt's lists, at most once per run unless forced (after adding a source).
apt_update() {
  [[ $apt_updated == 1 && ${1:-} != force ]] && return 0
  step "apt-get update"
  apt-get update -qq >/dev/null || die "apt-get update failed"
  apt_updated=1
}

require_root() {
  [[ $(id -u) == 0 ]] || die "$1 needs root (apt-get); run this script as root once, or install it by hand"
}

# Installs the given Debian packages that are not installed yet.
ensure_packages() {
  local missing=() p
  for p in "$@"; do
    [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true) == *'install ok installed'* ]] || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    step "packages present: $*"
    return 0
  fi
  require_root "installing ${missing[*]}"
  # Update the lists only when apt does not know a candidate for one of the packages.
  # (No `apt-cache | grep -q` pipelines: under pipefail grep's early exit fails them.)
  for p in "${missing[@]}"; do
    if [[ ! $(apt-cache policy "$p" 2>/dev/null || true) =~ Candidate:\ [0-9] ]]; then
      apt_update
      break
    fi
  done
  step "apt-get install ${missing[*]}"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    # Stale lists name files the archive no longer has: refresh once and try again.
    ((apt_updated == 1)) && die "apt-get install ${missing[*]} failed (see apt's message above)"
    apt_update
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || die "apt-get install ${missing[*]} failed after apt-get update (see apt's message above)"
  fi
}

# Source lists are not configured on these machines: derive them from the system's own deb
# lines at run time, so that no mirror host is ever written into the repo.
ensure_deb_src() {
  if [[ ! -f $DEB_SRC_FILE ]]; then
    local system_sources=/etc/apt/sources.list.d/debian.sources
    [[ -f $system_sources ]] || die "$system_sources not found: cannot derive deb-src entries"
    require_root "configuring deb-src"
    step "adding deb-src entries derived from $system_sources -> $DEB_SRC_FILE"
    sed 's/^Types: deb$/Types: deb-src/' "$system_sources" >"$DEB_SRC_FILE"
    apt_update force
  fi
}

# Highest version of the source package that apt knows, or empty.
source_version() {
  local best="" v
  while read -r v; do
    if [[ -z $best ]] || dpkg --compare-versions "$v" gt "$best"; then best=$v; fi
  done < <(apt-cache showsrc --only-source "$SRC_PACKAGE" 2>/dev/null | awk '/^Version:/ {print $2}')
  printf '%s' "$best"
}

cache_valid() {
  local bin=$1 b
  [[ -f $bin/.complete ]] || return 1
  for b in "${BINARIES[@]}"; do
    [[ -x $bin/$b ]] || return 1
  done
  (cd "$bin" && sha256sum --check --status .complete) || return 1
  "$bin/kube-apiserver" --version >/dev/null 2>&1 || return 1
}

properties_out=""

print_result() {
  local bin=$1 etcd
  etcd=$(command -v etcd || true)
  [[ -n $etcd ]] || die "etcd not found on PATH although etcd-server is installed"
  step "kube-apiserver: $("$bin/kube-apiserver" --version)"
  step "etcd: $("$etcd" --version | head -n 1)"
  if [[ -n $properties_out ]]; then
    mkdir -p "$(dirname "$properties_out")"
    printf 'routecert.kube.bin=%s\nroutecert.kube.etcd=%s\n' "$bin" "$etcd" >"$properties_out"
    step "wrote $properties_out"
  fi
  printf 'ETCD=%s\n' "$etcd"
  printf 'KUBE_BIN_DIR=%s\n' "$bin"
}

build() {
  local version=$1 dir=$2
  local work=$dir/build bin=$dir/bin log=$dir/build.log
  ensure_packages "${BUILD_PACKAGES[@]}"

  mkdir -p "$dir"
  local free_gb
  free_gb=$(df --output=avail -BG "$dir" | tail -n 1 | tr -dc '0-9')
  ((free_gb >= MIN_FREE_GB)) || die "only ${free_gb} GB free under $dir; the build needs about ${MIN_FREE_GB} GB"

  rm -rf "$work" "$bin"
  mkdir -p "$work"
  step "fetching source package $SRC_PACKAGE=$version into $work"
  (cd "$work" && apt-get source --download-only -qq "$SRC_PACKAGE=$version" >"$log" 2>&1) \
    || { tail -n 20 "$log" >&2; die "apt-get source $SRC_PACKAGE=$version failed"; }
  step "unpacking $(cd "$work" && ls ./*.dsc)"
  (cd "$work" && dpkg-source --no-check -x ./*.dsc k8s >>"$log" 2>&1) \
    || { tail -n 20 "$log" >&2; die "dpkg-source -x failed"; }

  # The vendored reflect2 1.0.1 crashes under Go >= 1.18 (`fatal error: fault` in
  # UnsafeMapType.UnsafeIterate on the first custom-resource write): use Debian's 1.0.2.
  local reflect2=/usr/share/gocode/src/github.com/modern-go/reflect2
  [[ -d $reflect2 ]] || die "$reflect2 missing (package golang-github-modern-go-reflect2-dev)"
  step "replacing vendor/github.com/modern-go/reflect2 with $reflect2"
  rm -rf "$work/k8s/vendor/github.com/modern-go/reflect2"
  cp -rL "$reflect2" "$work/k8s/vendor/github.com/modern-go/reflect2"
  rm -f "$work/k8s/vendor/github.com/modern-go/reflect2/go.mod"

  local upstream=${version#*really}
  upstream=v${upstream%%-*}
  step "building ${BINARIES[*]} ($upstream, $(go version | awk '{print $3}')), log: $log"
  local started=$SECONDS what="" b
  for b in "${BINARIES[@]}"; do what+="cmd/$b "; done
  (
    cd "$work/k8s"
    # No .git in the tree: give the version stamp explicitly (kubectl's skew check reads it).
    export KUBE_GIT_VERSION=$upstream KUBE_GIT_TREE_STATE=archive KUBE_GIT_COMMIT="debian-$version"
    # Static binaries as in debian/rules; GOPATH mode as the 1.20 tree expects.
    export KUBE_BUILD_PLATFORMS=linux/amd64 CGO_ENABLED=0 GO111MODULE=off GOFLAGS= GOCACHE="$work/gocache"
    make WHAT="${what% }" >>"$log" 2>&1
  ) || { tail -n 40 "$log" >&2; die "make failed after $((SECONDS - started)) s (full log: $log)"; }
  step "build took $((SECONDS - started)) s"

  mkdir -p "$bin"
  for b in "${BINARIES[@]}"; do
    install -m 0755 "$work/k8s/_output/bin/$b" "$bin/$b" || die "$b was not built (log: $log)"
  done
  "$bin/kube-apiserver" --version >/dev/null || die "the built kube-apiserver does not run"
  # The marker is written last: its presence means the binaries beside it are complete.
  (cd "$bin" && sha256sum "${BINARIES[@]}" >.complete.tmp && mv .complete.tmp .complete)
  rm -rf "$work"
  step "cached in $bin"
}

main() {
  while (($#)); do
    case $1 in
      --properties-out) properties_out=${2:?--properties-out needs a file}; shift 2 ;;
      *) die "unknown argument: $1 (usage: $0 [--properties-out FILE])" ;;
    esac
  done
  step "cache root: $CACHE_ROOT"
  ensure_packages "${RUNTIME_PACKAGES[@]}"
  command -v kubectl >/dev/null || ensure_packages kubernetes-client

  local version
  version=$(source_version)
  if [[ -z $version ]]; then
    ensure_deb_src
    version=$(source_version)
    if [[ -z $version ]]; then
      # The source file was there but its lists are not: any update in this run covers it.
      apt_update
      version=$(source_version)
    fi
  fi
  [[ -n $version ]] || die "apt knows no source package '$SRC_PACKAGE' (deb-src lists: $DEB_SRC_FILE)"
  step "Debian $SRC_PACKAGE source version: $version"

  local dir=$CACHE_ROOT/$version
  if [[ ${ROUTECERT_KUBE_REBUILD:-0} != 1 ]] && cache_valid "$dir/bin"; then
    step "cache valid: $dir/bin"
    print_result "$dir/bin"
    return 0
  fi

  mkdir -p "$CACHE_ROOT" || die "cannot create $CACHE_ROOT (set ROUTECERT_KUBE_CACHE to a writable folder)"
  # One build at a time per version, e.g. two Maven runs started together.
  exec 9>"$CACHE_ROOT/.lock-$version"
  step "waiting for the build lock"
  flock 9
  if [[ ${ROUTECERT_KUBE_REBUILD:-0} != 1 ]] && cache_valid "$dir/bin"; then
    step "cache became valid while waiting: $dir/bin"
  else
    step "cache missing or invalid: building (5-10 minutes on 2 cores)"
    build "$version" "$dir"
  fi
  print_result "$dir/bin"
}

main "$@"; exit
