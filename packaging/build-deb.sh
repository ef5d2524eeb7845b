#!/usr/bin/env bash
# packaging/build-deb.sh [OUTDIR]: build floatd_<version>_<arch>.deb with debhelper, offline,
# into OUTDIR (default: dist/ at the top of the repository).
#
# The build runs in a fresh copy of the source tree under /tmp (git's tracked and untracked,
# not ignored, files: no build*/ or dist/ directories), with packaging/debian/ copied to debian/,
# so dpkg-buildpackage never writes into the repository. dh_auto_test runs the unit tests
# (ctest's default set; the root/netns tests need -DFLOATD_E2E=ON, which the package build
# does not set). DEB_BUILD_OPTIONS is honoured: nocheck neither builds nor runs them (and,
# through the nocheck build profile it implies, needs no doctest-dev).
#
# Missing build dependencies are installed by tests/install-deps.sh (root only). Run as root, the build itself runs as BUILD_DEB_USER (default nobody), in a clean
# environment. Environment: BUILD_DEB_VERBOSE=1 streams the build log (otherwise it goes to
# a file whose tail is shown on failure); BUILD_DEB_KEEP=1 keeps the work directory.
# Exit status: 0 when the .deb is in OUTDIR, 1 otherwise.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
outdir=${1:-$repo/dist}

log() { echo "build-deb: $*"; }
die() { echo "build-deb: error: $*" >&2; exit 1; }

# --- Build dependencies (keep in step with Build-Depends in packaging/debian/control) -------
PACKAGES=(
  debhelper dpkg-dev
  cmake make g++ pkg-config
  libnl-3-dev libnl-route-3-dev libev-dev libtoml11-dev libspdlog-dev libfmt-dev
  libsystemd-dev nlohmann-json3-dev libcurl4-openssl-dev
)
if [[ " ${DEB_BUILD_OPTIONS:-} " != *" nocheck "* ]]; then
  PACKAGES+=(doctest-dev)  # Build-Depends: doctest-dev <!nocheck>
fi

"$repo/tests/install-deps.sh" "${PACKAGES[@]}"

# --- Version: CMakeLists.txt's project(VERSION) is the truth; the changelog must agree --------
version=$(sed -nE 's/^project\(floatd VERSION ([0-9][0-9.]*)[ )].*/\1/p' "$repo/CMakeLists.txt")
[[ -n "$version" ]] || die "cannot read project(floatd VERSION ...) from $repo/CMakeLists.txt"
changelog_version=$(dpkg-parsechangelog -l "$here/debian/changelog" -S Version)
if [[ "$changelog_version" != "$version" ]]; then
  die "packaging/debian/changelog is at $changelog_version but CMakeLists.txt says $version;" \
      "add a changelog entry for $version (native package: the version has no -revision)"
fi
arch=$(dpkg --print-architecture)
deb="floatd_${version}_${arch}.deb"

# --- A clean copy of the tree ----------------------------------------------------------------
work=$(mktemp -d /tmp/floatd-deb.XXXXXX)
cleanup() {
  local rc=$?
  if ((rc == 0)) && [[ -z "${BUILD_DEB_KEEP:-}" ]]; then
    rm -rf "$work"
  else
    echo "build-deb: work directory kept: $work" >&2
  fi
}
trap cleanup EXIT
src="$work/floatd-$version"
mkdir "$src"

# git's file list only when $repo is the top of its own work tree (not, say, an exported
# copy lying in an ignored directory of another checkout).
if [[ "$(git -C "$repo" rev-parse --show-toplevel 2>/dev/null)" == "$repo" ]]; then
  # Tracked plus untracked-but-not-ignored files (.gitignore excludes build*/ and dist/);
  # tracked files deleted in the work tree are skipped.
  (cd "$repo" && git ls-files -z --cached --others --exclude-standard |
     while IFS= read -r -d '' f; do
       case "$f" in build/* | build-*/* | dist/* | debian/*) continue ;; esac
       if [[ -e "$f" || -L "$f" ]]; then printf '%s\0' "$f"; fi
     done | tar --null -T - -cf - ) | tar -xf - -C "$src"
else
  tar -C "$repo" --exclude=./.git --exclude='./build' --exclude='./build-*' --exclude=./dist \
      --exclude=./debian -cf - . | tar -xf - -C "$src"
fi
# debian/ at the top, with symlinks (debian/floatd.service -> ../floatd.service) resolved.
cp -rL "$here/debian" "$src/debian"

# Package builds are unprivileged (Rules-Requires-Root: no): as root, build as BUILD_DEB_USER
# (default nobody), so the unit tests run as they do on a Debian buildd, without root.
build_as=()
if ((EUID == 0)); then
  build_user=${BUILD_DEB_USER:-nobody}
  build_group=$(id -gn "$build_user") || die "no user '$build_user' to build as (BUILD_DEB_USER)"
  chown -R "$build_user:$build_group" "$work"
  build_as=(setpriv "--reuid=$build_user" "--regid=$build_group" --clear-groups)
fi

# --- Build -------------------------------------------------------------------------------------
opts=${DEB_BUILD_OPTIONS:-}
if [[ " $opts " != *" parallel="* ]]; then
  opts="${opts:+$opts }parallel=$(nproc)"
fi
profiles=${DEB_BUILD_PROFILES:-}
if [[ " $opts " == *" nocheck "* && " $profiles " != *" nocheck "* ]]; then
  # The nocheck option goes with the nocheck profile, which drops doctest-dev <!nocheck>.
  profiles="${profiles:+$profiles }nocheck"
fi
# A clean environment: only what the build needs, plus what the caller set for dpkg.
build_env=(env -i "PATH=/usr/sbin:/usr/bin:/sbin:/bin" "HOME=$work" "LANG=C.UTF-8"
           "DEB_BUILD_OPTIONS=$opts" "DEB_BUILD_PROFILES=$profiles")
for var in SOURCE_DATE_EPOCH DEB_BUILD_MAINT_OPTIONS DH_VERBOSE; do
  if [[ -n "${!var:-}" ]]; then build_env+=("$var=${!var}"); fi
done
log "building $deb in $src as $(id -un ${build_user:-}) (DEB_BUILD_OPTIONS='$opts'${profiles:+ DEB_BUILD_PROFILES='$profiles'})"
buildlog="$work/build.log"
start=$SECONDS
set +e
if [[ -n "${BUILD_DEB_VERBOSE:-}" ]]; then
  (cd "$src" && "${build_as[@]}" "${build_env[@]}" dpkg-buildpackage -us -uc -b) 2>&1 | tee "$buildlog"
  rc=${PIPESTATUS[0]}
else
  (cd "$src" && "${build_as[@]}" "${build_env[@]}" dpkg-buildpackage -us -uc -b) >"$buildlog" 2>&1
  rc=$?
fi
set -e
if ((rc != 0)); then
  [[ -n "${BUILD_DEB_VERBOSE:-}" ]] || tail -n 60 "$buildlog" >&2
  die "dpkg-buildpackage failed (exit $rc); full log: $buildlog"
fi
if grep -qE '^[0-9]+% tests passed' "$buildlog"; then
  log "unit tests: $(grep -E '^[0-9]+% tests passed' "$buildlog" | tail -n 1)"
else
  log "unit tests: not run (nocheck)"
fi
[[ -f "$work/$deb" ]] || die "dpkg-buildpackage succeeded but $work/$deb is missing"

mkdir -p "$outdir"
cp "$work/$deb" "$outdir/"
# The detached debug symbols, when debhelper made them (not with DEB_BUILD_OPTIONS=noautodbgsym).
dbgsym="floatd-dbgsym_${version}_${arch}.deb"
[[ -f "$work/$dbgsym" ]] && cp "$work/$dbgsym" "$outdir/"
log "built $(cd "$outdir" && pwd)/$deb in $((SECONDS - start))s"
