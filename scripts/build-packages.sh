#!/usr/bin/env bash
# Builds the Debian and RPM packages of libebpfpub into OUTDIR:
#   libebpfpub0, libebpfpub-dev, ebpftracer              (.deb, from packaging/debian)
#   libebpfpub, libebpfpub-devel, ebpftracer             (.rpm, from packaging/rpm)
#
# usage: scripts/build-packages.sh [--deb-only | --rpm-only] [--no-lintian] OUTDIR
#
# The source tree (the files git knows of, tracked or not ignored; or, outside git, everything
# but build directories) is copied to a temporary directory: dpkg-buildpackage wants debian/ at
# the root of the sources, so packaging/debian is put there in the copy, and rpmbuild gets a
# tarball of the copy. The working tree is never written to.
#
# Needs: debhelper dpkg-dev fakeroot lintian rpm (scripts/bootstrap.sh installs them) and the
# build dependencies. rpmbuild runs with --nodeps: on Debian the build dependencies are dpkg
# packages, which rpm does not know of. LLVM_CONFIG selects the llvm-config of the RPM build
# (default /usr/lib/llvm-19/bin/llvm-config; the Debian build uses LLVM 19 as its control
# file says).
set -euo pipefail

usage() {
	echo "usage: $0 [--deb-only | --rpm-only] [--no-lintian] OUTDIR" >&2
	exit 2
}

do_deb=1
do_rpm=1
do_lintian=1
outdir=""
while [ $# -gt 0 ]; do
	case "$1" in
	--deb-only) do_rpm=0 ;;
	--rpm-only) do_deb=0 ;;
	--no-lintian) do_lintian=0 ;;
	-h|--help) usage ;;
	-*) usage ;;
	*) [ -z "$outdir" ] || usage; outdir="$1" ;;
	esac
	shift
done
[ -n "$outdir" ] || usage

src="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$outdir"
outdir="$(cd "$outdir" && pwd)"
llvm_config="${LLVM_CONFIG:-/usr/lib/llvm-19/bin/llvm-config}"

log() { echo "build-packages: $*" >&2; }
die() { log "error: $*"; exit 1; }

# The project's version, from meson.build's project() call.
version="$(sed -n "s/^[[:space:]]*version:[[:space:]]*'\([0-9][0-9.]*\)'.*/\1/p" "$src/meson.build" | head -n1)"
[ -n "$version" ] || die "cannot read the version from $src/meson.build"

need() {
	local missing=() t
	for t in "$@"; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
	[ ${#missing[@]} -eq 0 ] || die "missing ${missing[*]} (run scripts/bootstrap.sh, or apt-get install debhelper dpkg-dev fakeroot lintian rpm)"
}
[ $do_deb = 0 ] || need dpkg-buildpackage dh fakeroot
[ $do_rpm = 0 ] || need rpmbuild

work="$(mktemp -d "${TMPDIR:-/tmp}/ebpfpub-pkg.XXXXXX")"
trap 'rm -rf "$work"' EXIT
tree="$work/libebpfpub-$version"
mkdir -p "$tree"

# Copies the sources into $tree, without build directories or VCS data.
copy_tree() {
	if command -v git >/dev/null 2>&1 && git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		# Tracked and untracked-but-not-ignored files (meson build directories ignore
		# themselves with their own .gitignore); files deleted in the work tree are skipped.
		(cd "$src" && git ls-files -z --cached --others --exclude-standard) |
			while IFS= read -r -d '' f; do
				case "$f" in
				debian/*|obj-*/*) continue ;;
				esac
				[ -f "$src/$f" ] || [ -L "$src/$f" ] || continue
				printf '%s\0' "$f"
			done |
			tar -C "$src" --null --no-recursion -T - -cf - | tar -C "$tree" -xf -
	else
		# A meson build directory holds build.ninja: leave such directories out.
		tar -C "$src" --exclude-vcs --exclude-tag-all=build.ninja \
			--exclude='./debian' --exclude='./obj-*' -cf - . | tar -C "$tree" -xf -
	fi
	[ -f "$tree/meson.build" ] || die "copying the sources failed"
}

log "libebpfpub $version: copying the sources"
copy_tree

build_deb() {
	local deb="$work/deb" changes status
	mkdir -p "$deb"
	cp -a "$tree" "$deb/"
	cp -a "$src/packaging/debian" "$deb/libebpfpub-$version/debian"
	local debver
	debver="$(cd "$deb/libebpfpub-$version" && dpkg-parsechangelog -S Version)"
	[ "${debver%-*}" = "$version" ] ||
		die "packaging/debian/changelog is at $debver but meson.build says $version: add a changelog entry (dch -v $version-1)"
	log "building the .deb packages ($debver)"
	(cd "$deb/libebpfpub-$version" && dpkg-buildpackage -us -uc -b -jauto) >"$outdir/deb-build.log" 2>&1 || {
		tail -n 40 "$outdir/deb-build.log" >&2
		die "dpkg-buildpackage failed (full log: $outdir/deb-build.log)"
	}
	cp -f "$deb"/*.deb "$outdir/"
	changes="$(ls "$deb"/*.changes | head -n1)"
	if [ $do_lintian = 1 ]; then
		if command -v lintian >/dev/null 2>&1; then
			log "lintian $(basename "$changes")"
			status=0
			# Errors fail the build; warnings are reported (lintian.txt) but accepted.
			lintian --fail-on error --tag-display-limit 0 "$changes" >"$outdir/lintian.txt" 2>&1 || status=$?
			grep -E '^[EW]: ' "$outdir/lintian.txt" >&2 || true
			[ $status = 0 ] || die "lintian found errors (see $outdir/lintian.txt)"
		else
			log "lintian is not installed: not checking the .deb packages"
		fi
	fi
}

build_rpm() {
	local top="$work/rpm" specver
	mkdir -p "$top"/{BUILD,RPMS,SOURCES,SPECS,SRPMS}
	specver="$(sed -n 's/^Version:[[:space:]]*//p' "$src/packaging/rpm/libebpfpub.spec")"
	[ "$specver" = "$version" ] ||
		die "packaging/rpm/libebpfpub.spec is at $specver but meson.build says $version"
	tar -C "$work" -czf "$top/SOURCES/libebpfpub-$version.tar.gz" "libebpfpub-$version"
	cp "$src/packaging/rpm/libebpfpub.spec" "$top/SPECS/"
	log "building the .rpm packages"
	rpmbuild -bb --nodeps \
		--define "_topdir $top" \
		--define "llvm_config $llvm_config" \
		"$top/SPECS/libebpfpub.spec" >"$outdir/rpm-build.log" 2>&1 || {
		tail -n 40 "$outdir/rpm-build.log" >&2
		die "rpmbuild failed (full log: $outdir/rpm-build.log)"
	}
	find "$top/RPMS" -name '*.rpm' -exec cp -f {} "$outdir/" \;
}

[ $do_deb = 0 ] || build_deb
[ $do_rpm = 0 ] || build_rpm

log "packages in $outdir:"
(cd "$outdir" && ls -1 -- *.deb *.rpm 2>/dev/null) | sed 's/^/  /' >&2
