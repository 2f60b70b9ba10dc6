#!/usr/bin/env bash
# The RPMs of packaging/rpm/pxemasq.spec, built and inspected (issue 6):
#   * a source tarball of the checkout (git's tracked and untracked files, not the ignored build
#     directories), the SRPM from it, and the binary RPMs rebuilt from that SRPM, so the SRPM
#     is proven self-contained; %check runs the unit tests; EL9's compiler flags
#     (-O2 -flto=auto -D_FORTIFY_SOURCE=2 -D_GLIBCXX_ASSERTIONS ...);
#   * on Debian through the EL9 macro shim packaging/tests/el9-rpm.macros; on a host that has
#     the EL9 macros (redhat-rpm-config, cmake-rpm-macros, ...) through those;
#   * rpmlint of the spec, the SRPM and both RPMs with packaging/tests/rpmlint-el9.toml: 0 errors;
#   * rpm -qpl: the daemon, every unit of packaging/systemd, sysusers and tmpfiles, the firewalld
#     service, both man pages, the example configuration, the policy module and its interface,
#     each in the right package, with the modes, owners and %config flags the spec promises;
#     the payload's files equal the tree's, the packaged daemon runs;
#   * the scriptlets (rpm -qp --scripts): user creation, systemd, tmpfiles, firewalld, semodule;
#   * the dependencies between the two packages.
# The build runs in a scratch directory under /tmp, removed at the end (--keep keeps it), with
# PXEMASQ_RPM_JOBS (default 2) jobs. Needs no root.
# Usage: rpm-checks.sh [--keep]             exit 0 pass, 1 fail, 77 a tool missing
set -uo pipefail
export LC_ALL=C.UTF-8

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here="$top/packaging/tests"
spec="$top/packaging/rpm/pxemasq.spec"
jobs=${PXEMASQ_RPM_JOBS:-2}
keep=0
[[ ${1:-} == --keep ]] && keep=1
work=$(mktemp -d /tmp/pxemasq-rpm.XXXXXX)
cleanup() { if ((keep)); then echo "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
started=$SECONDS

passed=0 failed=0 skipped=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; [[ -n ${2:-} ]] && printf '%s\n' "$2" | sed 's/^/    /' | head -30; failed=$((failed + 1)); }
skip() { echo "SKIP $1"; skipped=$((skipped + 1)); }
info() { echo "INFO $1"; }
summary() {
  echo "SUMMARY $passed passed, $failed failed, $skipped skipped ($((SECONDS - started)) s)"
  ((failed == 0))
  exit $?
}

missing=()
for tool in rpmbuild rpmspec rpmlint rpm2cpio cpio tar gzip bzip2 cmake ctest make c++; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
# %build compiles the policy module with the policy headers' Makefile
[[ -f /usr/share/selinux/devel/Makefile ]] || missing+=(/usr/share/selinux/devel/Makefile)
if ((${#missing[@]})); then
  echo "SKIP missing: ${missing[*]} (Debian: rpm rpmlint rpm2cpio cpio selinux-policy-dev; EL9: rpm-build rpmlint selinux-policy-devel)"
  exit 77
fi

# --- rpm's configuration: a scratch home, so no ~/.rpmmacros of the caller applies -----------
home="$work/home"
mkdir -p "$home" "$work/tmp"
rpm_env=(env HOME="$home")
if [[ $(rpm --eval '%{?cmake:yes}%{?_unitdir:yes}%{?selinux_modules_install:yes}') == yesyesyes ]]; then
  info "macros: the host's own (EL9 build root)"
else
  cp "$here/el9-rpm.macros" "$home/.rpmmacros"
  info "macros: packaging/tests/el9-rpm.macros (EL9 shim on $(rpm --version))"
fi
defines=(--define "_topdir $work/rpmbuild" --define "_tmppath $work/tmp" --define "_smp_build_ncpus $jobs")
rpmq() { "${rpm_env[@]}" rpm "$@"; }

if ! nvr=$("${rpm_env[@]}" rpmspec -q --srpm --qf '%{name} %{version} %{release}\n' "$spec" 2>"$work/parse.log"); then
  fail "rpmspec cannot parse pxemasq.spec" "$(cat "$work/parse.log")"
  summary
fi
read -r name version release <<<"$nvr"
pass "pxemasq.spec parses: $name-$version-$release"

# --- the source tarball: the checkout as it is, without build directories ---------------------
sources="$work/rpmbuild/SOURCES"
stage="$work/stage/$name-$version"
mkdir -p "$sources" "$stage"
if [[ $(git -C "$top" rev-parse --show-toplevel 2>/dev/null) == "$top" ]]; then
  (cd "$top" && git ls-files -co --exclude-standard -z |
    tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -C "$stage" -xf -
  how="git ls-files of $top"
else
  tar -C "$top" --exclude=.git --exclude='./build*' -cf - . | tar -C "$stage" -xf -
  how="tar of $top without .git and build*"
fi
tar -C "$work/stage" -czf "$sources/$name-$version.tar.gz" "$name-$version"
# every other file next to the spec is a source too, as in a dist-git checkout
for file in "$top"/packaging/rpm/*; do
  [[ $file == "$spec" ]] || cp -L "$file" "$sources/"
done
if [[ -f $stage/CMakeLists.txt && -f $stage/packaging/rpm/pxemasq.spec && ! -e $stage/build ]]; then
  pass "Source0 $name-$version.tar.gz ($how, $(find "$stage" -type f | wc -l) files)"
else
  fail "Source0 misses the tree or holds build/ ($how)"
fi

# --- SRPM, then the binary RPMs rebuilt from it ---------------------------------------------
if "${rpm_env[@]}" rpmbuild -bs --nodeps "${defines[@]}" "$spec" >"$work/srpm.log" 2>&1 &&
  srpm=$(ls "$work"/rpmbuild/SRPMS/*.src.rpm 2>/dev/null) && [[ -n $srpm ]]; then
  contents=$(rpmq -qpl "$srpm" | tr '\n' ' ')
  want="$name-$version.tar.gz $name.spec"
  for file in "$top"/packaging/rpm/*; do [[ $file == "$spec" ]] || want+=" $(basename "$file")"; done
  lacking=""
  for file in $want; do grep -qw -- "$file" <<<"$contents" || lacking+=" $file"; done
  if [[ -z $lacking ]]; then pass "SRPM $(basename "$srpm"): $contents"; else fail "SRPM lacks:$lacking"; fi
else
  fail "rpmbuild -bs" "$(tail -20 "$work/srpm.log")"
  summary
fi

build_start=$SECONDS
if ! "${rpm_env[@]}" rpmbuild --rebuild --nodeps "${defines[@]}" "$srpm" >"$work/build.log" 2>&1; then
  fail "rpmbuild --rebuild $(basename "$srpm") ($((SECONDS - build_start)) s)" "$(grep -v '^+ ' "$work/build.log" | tail -30)"
  summary
fi
build_seconds=$((SECONDS - build_start))
mapfile -t rpms < <(find "$work/rpmbuild/RPMS" -name '*.rpm' | sort)
main_rpm="" selinux_rpm=""
for rpm in "${rpms[@]}"; do
  case $(rpmq -qp --qf '%{name}' "$rpm") in
    "$name") main_rpm=$rpm ;;
    "$name-selinux") selinux_rpm=$rpm ;;
  esac
done
if ((${#rpms[@]} == 2)) && [[ -n $main_rpm && -n $selinux_rpm ]]; then
  pass "binary RPMs from the SRPM in $build_seconds s (-j$jobs): $(basename "$main_rpm") $(basename "$selinux_rpm")"
else
  fail "binary RPMs: want $name and $name-selinux, got: ${rpms[*]##*/}"
  summary
fi
arch=$(rpmq -qp --qf '%{arch}' "$selinux_rpm")
if [[ $arch == noarch ]]; then pass "$name-selinux is noarch"; else fail "$name-selinux is $arch, not noarch"; fi

tests_line=$(grep -oE '[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$work/build.log" | tail -1)
ran=$(awk '{print $NF}' <<<"$tests_line")
if grep -q 'Executing(%check)' "$work/build.log" && [[ $tests_line == "100% tests passed, 0 tests failed out of $ran" ]] && ((ran > 0)); then
  pass "%check ran the unit tests: $tests_line"
else
  fail "%check: ${tests_line:-no ctest summary}" "$(grep -A3 -E 'Executing\(%check\)|tests failed' "$work/build.log" | tail -12)"
fi
# Informational: EL9's flags (_FORTIFY_SOURCE, LTO) show warnings the project's own builds do not.
warnings=$(grep -E ': warning: ' "$work/build.log" | sed -E 's#^.*/BUILD/[^/]+/##' | sort -u)
if [[ -n $warnings ]]; then
  info "compiler warnings with the EL9 flags ($(wc -l <<<"$warnings"), not errors in the spec build):"
  sed 's/^/    /' <<<"$warnings" | head -20
fi

# --- what the packages hold -----------------------------------------------------------------
main_files=$(rpmq -qpl "$main_rpm")
selinux_files=$(rpmq -qpl "$selinux_rpm")
# expect_file PACKAGE-FILES LABEL REGEX: one line of the list matches REGEX
expect_file() {
  local files=$1 label=$2 regex=$3 line
  line=$(grep -E -m1 "^${regex}\$" <<<"$files")
  if [[ -n $line ]]; then pass "$label ships $line"; else fail "$label does not ship ${regex//\\/}"; fi
}
expect_file "$main_files" "$name" '/usr/sbin/pxemasq'
for unit in "$top"/packaging/systemd/*.service "$top"/packaging/systemd/*.socket; do
  expect_file "$main_files" "$name" "/usr/lib/systemd/system/$(basename "$unit")"
done
expect_file "$main_files" "$name" '/usr/lib/sysusers\.d/pxemasq\.conf'
expect_file "$main_files" "$name" '/usr/lib/tmpfiles\.d/pxemasq\.conf'
for service in "$top"/packaging/firewalld/*.xml; do
  expect_file "$main_files" "$name" "/usr/lib/firewalld/services/$(basename "$service")"
done
for page in "$top"/man/*.[1-9]; do
  page=$(basename "$page")
  expect_file "$main_files" "$name" "/usr/share/man/man${page##*.}/${page//./\\.}(\\.gz)?"
done
expect_file "$main_files" "$name" '/etc/pxemasq/pxemasq\.conf'
expect_file "$main_files" "$name" '/etc/pxemasq/conf\.d'
expect_file "$main_files" "$name" '/var/lib/pxemasq'
expect_file "$main_files" "$name" "/usr/share/licenses/$name/LICENSE"
expect_file "$selinux_files" "$name-selinux" '/usr/share/selinux/packages/targeted/pxemasq\.pp\.bz2'
expect_file "$selinux_files" "$name-selinux" '/usr/share/selinux/devel/include/distributed/pxemasq\.if'
expect_file "$selinux_files" "$name-selinux" '/var/lib/selinux/targeted/active/modules/200/pxemasq'
if grep -qE '\.pp\.bz2$|\.if$' <<<"$main_files" || grep -q '/usr/sbin/' <<<"$selinux_files"; then
  fail "the split: policy files in $name or the daemon in $name-selinux"
else
  pass "the split: the policy only in $name-selinux, the daemon only in $name"
fi

# modes, owners and flags: "MODE USER GROUP FLAGS PATH" (flags: c config, n noreplace, g ghost)
attributes=$(rpmq -qp --qf '[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILEFLAGS:fflags} %{FILENAMES}\n]' \
  "$main_rpm" "$selinux_rpm")
expect_attributes() {
  local path=$1 regex=$2 line
  line=$(awk -v p="$path" '$NF == p' <<<"$attributes")
  if grep -qE "^${regex} ${path}\$" <<<"$line"; then pass "attributes $line"; else fail "attributes of $path: '${line:-none}', want '$regex'"; fi
}
expect_attributes /usr/sbin/pxemasq '-rwxr-xr-x root root +'
expect_attributes /var/lib/pxemasq 'drwxr-x--- pxemasq pxemasq +'
expect_attributes /etc/pxemasq/pxemasq.conf '-rw-r--r-- root root cn'
expect_attributes /usr/lib/systemd/system/pxemasq.service '-rw-r--r-- root root +'
expect_attributes /var/lib/selinux/targeted/active/modules/200/pxemasq '[-drwx]{10} root root g'

# the payload: the tree's files, and a daemon that runs
root="$work/root"
mkdir -p "$root"
for rpm in "$main_rpm" "$selinux_rpm"; do (cd "$root" && rpm2cpio "$rpm" | cpio -idm --quiet 2>/dev/null); done
different=""
for unit in "$top"/packaging/systemd/*.service "$top"/packaging/systemd/*.socket; do
  cmp -s "$unit" "$root/usr/lib/systemd/system/$(basename "$unit")" || different+=" $(basename "$unit")"
done
cmp -s "$top/packaging/systemd/pxemasq.sysusers" "$root/usr/lib/sysusers.d/pxemasq.conf" || different+=" sysusers"
cmp -s "$top/packaging/systemd/pxemasq.tmpfiles" "$root/usr/lib/tmpfiles.d/pxemasq.conf" || different+=" tmpfiles"
for service in "$top"/packaging/firewalld/*.xml; do
  cmp -s "$service" "$root/usr/lib/firewalld/services/$(basename "$service")" || different+=" $(basename "$service")"
done
cmp -s "$top/packaging/pxemasq.conf" "$root/etc/pxemasq/pxemasq.conf" || different+=" pxemasq.conf"
cmp -s "$top/selinux/pxemasq.if" "$root/usr/share/selinux/devel/include/distributed/pxemasq.if" || different+=" pxemasq.if"
if [[ -z $different ]]; then pass "payload: units, sysusers, tmpfiles, firewalld services, pxemasq.conf, pxemasq.if equal the tree's"
else fail "payload differs from the tree:$different"; fi
# a policy package starts with the magic 0xf97cff8f (little-endian)
if bunzip2 -c "$root/usr/share/selinux/packages/targeted/pxemasq.pp.bz2" >"$work/pxemasq.pp" 2>/dev/null &&
  [[ $(head -c 4 "$work/pxemasq.pp" | od -An -tx1 | tr -d ' ') == 8fff7cf9 ]]; then
  pass "payload: pxemasq.pp.bz2 is a bzip2'd SELinux policy package"
else
  fail "payload: pxemasq.pp.bz2 is not a bzip2'd SELinux policy package"
fi
if out=$("$root/usr/sbin/pxemasq" --version 2>&1) && grep -q "version $version" <<<"$out"; then
  pass "payload: /usr/sbin/pxemasq --version: $(head -1 <<<"$out")"
else
  fail "payload: /usr/sbin/pxemasq --version" "$out"
fi

# --- scriptlets (rpm -qp --scripts, one tag at a time) -----------------------------------------
# expect_script RPM TAG LABEL REGEX
expect_script() {
  local rpm=$1 tag=$2 label=$3 regex=$4
  if rpmq -qp --qf "%{$tag}" "$rpm" | grep -qE -- "$regex"; then pass "$label %$tag: $regex"
  else fail "$label %$tag lacks /$regex/" "$(rpmq -qp --qf "%{$tag}" "$rpm")"; fi
}
expect_script "$main_rpm" PREIN "$name" 'groupadd -r pxemasq'
expect_script "$main_rpm" PREIN "$name" 'useradd -r -g pxemasq -d /var/lib/pxemasq -s /usr/sbin/nologin .*pxemasq'
expect_script "$main_rpm" POSTIN "$name" 'install-system-units pxemasq\.service pxemasq\.socket'
expect_script "$main_rpm" POSTIN "$name" 'systemd-tmpfiles --create /usr/lib/tmpfiles\.d/pxemasq\.conf'
expect_script "$main_rpm" POSTIN "$name" 'firewall-cmd --reload'
expect_script "$main_rpm" PREUN "$name" 'remove-system-units pxemasq\.service pxemasq\.socket pxemasq-tftp\.socket pxemasq-pxe\.socket'
expect_script "$main_rpm" POSTUN "$name" 'mark-restart-system-units pxemasq\.service'
expect_script "$selinux_rpm" PREIN "$name-selinux" 'file_contexts\.pre'
expect_script "$selinux_rpm" POSTIN "$name-selinux" 'semodule .*-X 200 .*-i /usr/share/selinux/packages/targeted/pxemasq\.pp\.bz2'
expect_script "$selinux_rpm" POSTUN "$name-selinux" 'semodule .*-r pxemasq'
expect_script "$selinux_rpm" POSTTRANS "$name-selinux" 'fixfiles .*restore'

# --- dependencies ---------------------------------------------------------------------------
# expect_dependency RPM QUERY LABEL LINE
expect_dependency() {
  if rpmq -qp "$2" "$1" | grep -qxF -- "$4"; then pass "$3 $2: $4"; else fail "$3 $2 lacks '$4'" "$(rpmq -qp "$2" "$1")"; fi
}
expect_dependency "$selinux_rpm" --requires "$name-selinux" "$name = $version-$release"
expect_dependency "$selinux_rpm" --requires "$name-selinux" "selinux-policy-targeted"
expect_dependency "$main_rpm" --recommends "$name" "($name-selinux if selinux-policy-targeted)"
expect_dependency "$main_rpm" --requires "$name" "firewalld-filesystem"
expect_dependency "$main_rpm" --requires "$name" "shadow-utils"
expect_dependency "$main_rpm" --requires "$name" "systemd"

# --- rpmlint ----------------------------------------------------------------------------------
if rpmlint --version 2>/dev/null | grep -qE '^2\.'; then
  "${rpm_env[@]}" rpmlint -c "$here/rpmlint-el9.toml" "$spec" "$srpm" "$main_rpm" "$selinux_rpm" >"$work/rpmlint.log" 2>&1
  errors=$(grep -cE ': E: ' "$work/rpmlint.log")
  summary_line=$(grep -E 'checked;' "$work/rpmlint.log" | sed 's/^ *//')
  if ((errors == 0)) && [[ -n $summary_line ]]; then
    pass "rpmlint -c rpmlint-el9.toml spec, SRPM, RPMs: $summary_line"
    grep -E ': W: ' "$work/rpmlint.log" | sed 's/^/    /'
  else
    fail "rpmlint: $errors errors" "$(grep -E ': [EW]: |checked' "$work/rpmlint.log")"
  fi
else
  skip "rpmlint $(rpmlint --version 2>/dev/null | head -1): the configuration is rpmlint 2's"
fi

# Informational: a Debian-built binary needs Debian's libstdc++; release RPMs come from EL9.
glibcxx=$(rpmq -qpR "$main_rpm" | grep -oE 'GLIBCXX_[0-9.]+' | sort -V | tail -1)
info "the binary needs ${glibcxx:-no GLIBCXX symbol} (EL9's libstdc++ has up to GLIBCXX_3.4.29): these RPMs verify the packaging, they are not for installing"
summary
