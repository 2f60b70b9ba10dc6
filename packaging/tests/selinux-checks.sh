#!/usr/bin/env bash
# The SELinux module against the distribution's complete policy (issue 6):
#   * selinux/pxemasq.{te,if,fc} compile with the policy headers (/usr/share/selinux/devel);
#   * the module links with every policy module the distribution ships (Debian 12:
#     selinux-policy-default, /usr/share/selinux/default/*.pp.bz2) and expands to a kernel
#     policy (semodule_link + semodule_expand: every require resolves, every neverallow holds);
#   * its file contexts are valid in that policy (setfiles -c) and label what the RPM installs
#     (matchpathcon: the daemon, every unit in packaging/systemd, /etc/pxemasq, the state and
#     runtime directories);
#   * the rules of packaging/tests/selinux-rules.txt hold in the linked policy
#     (packaging/tests/selinux-assert.py, setools: the transition from init_t, the ports, the
#     exact capability set, read-only TFTP content and configuration, the boolean, the state);
#   * the assertions bite: a module with four deliberate defects (a write rule on tftpdir_rw_t,
#     setuid, no TFTP port, the boolean on) must fail exactly the assertions about them.
# Needs no root and enables nothing: it works on copies in a scratch directory.
# Usage: selinux-checks.sh [--keep]         exit 0 pass, 1 fail, 77 a tool or the policy missing
set -uo pipefail
export LC_ALL=C.UTF-8

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here="$top/packaging/tests"
keep=0
[[ ${1:-} == --keep ]] && keep=1
work=$(mktemp -d /tmp/pxemasq-selinux.XXXXXX)
cleanup() { if ((keep)); then echo "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT

passed=0 failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; [[ -n ${2:-} ]] && printf '%s\n' "$2" | sed 's/^/    /' | head -20; failed=$((failed + 1)); }
skip_all() { echo "SKIP $1"; exit 77; }

devel_makefile=/usr/share/selinux/devel/Makefile
# Debian's selinux-policy-default ships the policy as modules; EL9's selinux-policy-targeted
# ships only the compiled store (CIL), so this check is Debian's (on EL9 see packaging/README.md).
policy_modules=${PXEMASQ_POLICY_MODULES:-/usr/share/selinux/default}
python=/usr/bin/python3

missing=()
for tool in make m4 checkmodule semodule_package semodule_link semodule_expand semodule_unpackage \
  setfiles matchpathcon bunzip2; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[[ -f $devel_makefile ]] || missing+=("$devel_makefile")
"$python" -c 'import setools' 2>/dev/null || missing+=("python3-setools")
((${#missing[@]} == 0)) || skip_all "missing: ${missing[*]} (Debian: selinux-policy-dev checkpolicy semodule-utils policycoreutils selinux-utils python3-setools)"
[[ -f $policy_modules/base.pp.bz2 || -f $policy_modules/base.pp ]] ||
  skip_all "no policy modules in $policy_modules (Debian: selinux-policy-default; EL9 has none, see packaging/README.md)"

# build_module DIR TE: pxemasq.pp from TE and the tree's .if/.fc, in DIR
build_module() {
  local dir=$1 te=$2
  mkdir -p "$dir"
  cp "$te" "$dir/pxemasq.te"
  cp "$top/selinux/pxemasq.if" "$top/selinux/pxemasq.fc" "$dir/"
  (cd "$dir" && make -f "$devel_makefile" pxemasq.pp) >"$dir/build.log" 2>&1 && [[ -s $dir/pxemasq.pp ]]
}

# link_policy OUT MODULE...: semodule_link base + MODULEs, expanded to the kernel policy OUT
link_policy() {
  local out=$1
  shift
  semodule_link -o "$out.lnk" "$work/pp/base.pp" "$@" >"$out.log" 2>&1 &&
    semodule_expand "$out.lnk" "$out" >>"$out.log" 2>&1
}

# --- the module as shipped --------------------------------------------------------------------
if build_module "$work/module" "$top/selinux/pxemasq.te"; then
  warnings=$(grep -ci 'warning' "$work/module/build.log")
  pass "module compiles with $devel_makefile ($warnings warnings)"
else
  fail "module does not compile" "$(tail -20 "$work/module/build.log")"
  echo "SUMMARY $passed passed, $failed failed"
  exit 1
fi

# --- the distribution's policy: one bunzip2 for all modules -----------------------------------
mkdir -p "$work/pp"
cp "$policy_modules"/*.pp* "$work/pp/" 2>/dev/null
compressed=("$work"/pp/*.pp.bz2)
[[ -e ${compressed[0]} ]] && bunzip2 -f "${compressed[@]}"
rm -f "$work/pp/pxemasq.pp"  # a module of ours installed on the host would be linked twice
others=()
for module in "$work"/pp/*.pp; do
  [[ $(basename "$module") == base.pp ]] || others+=("$module")
done

policy="$work/policy.bin"
start=$SECONDS
if link_policy "$policy" "${others[@]}" "$work/module/pxemasq.pp"; then
  pass "linked with the ${#others[@]} modules + base of $policy_modules and expanded (neverallow rules hold; $((SECONDS - start)) s)"
else
  fail "link/expand with $policy_modules" "$(grep -v 'loading package' "$policy.log" | tail -10)"
  echo "SUMMARY $passed passed, $failed failed"
  exit 1
fi

# --- file contexts --------------------------------------------------------------------------
semodule_unpackage "$work/module/pxemasq.pp" "$work/module/unpacked.mod" "$work/module/unpacked.fc" 2>/dev/null
contexts="$work/module/unpacked.fc"
if out=$(setfiles -c "$policy" "$contexts" 2>&1); then
  pass "file contexts valid in the linked policy (setfiles -c)"
else
  fail "file contexts invalid (setfiles -c)" "$out"
fi
# label_of MODE PATH: the type the module's file contexts give PATH
label_of() { matchpathcon -m "$1" -f "$contexts" "$2" 2>/dev/null | awk '{print $2}' | cut -d: -f3; }
expect_label() {
  local mode=$1 path=$2 want=$3 got
  got=$(label_of "$mode" "$path")
  if [[ $got == "$want" ]]; then pass "label $path ($mode): $want"; else fail "label $path ($mode): ${got:-none}, want $want"; fi
}
expect_label file /usr/sbin/pxemasq pxemasq_exec_t
for unit in "$top"/packaging/systemd/*.service "$top"/packaging/systemd/*.socket; do
  expect_label file "/usr/lib/systemd/system/$(basename "$unit")" pxemasq_unit_file_t
done
expect_label dir /etc/pxemasq pxemasq_etc_t
expect_label file /etc/pxemasq/pxemasq.conf pxemasq_etc_t
expect_label file /etc/pxemasq/conf.d/seed.conf pxemasq_etc_t
expect_label dir /var/lib/pxemasq pxemasq_var_lib_t
expect_label file /var/lib/pxemasq/pxemasq.leases pxemasq_var_lib_t
expect_label dir /run/pxemasq pxemasq_runtime_t
expect_label file /run/pxemasq/pxemasq.pid pxemasq_runtime_t

# --- the rules ------------------------------------------------------------------------------
"$python" "$here/selinux-assert.py" "$policy" "$here/selinux-rules.txt" >"$work/assert.out" 2>&1
rc=$?
sed 's/^/  /' "$work/assert.out"
asserted=$(grep -c '^PASS ' "$work/assert.out")
if ((rc == 0 && asserted > 0)); then
  pass "$asserted rule assertions of selinux-rules.txt hold"
else
  fail "rule assertions (rc $rc): $(grep -c '^FAIL ' "$work/assert.out") failed"
fi

# --- the assertions bite: four defects, four failures, nothing else -------------------------
# Linked with base and the two modules whose types the defects touch, which is enough to
# evaluate every assertion and a third of the full link's time.
mutant="$work/mutant.te"
sed -e '/^corenet_udp_bind_tftp_port(pxemasq_t)$/d' \
  -e 's/^gen_tunable(pxemasq_tftp_read_all_files, false)$/gen_tunable(pxemasq_tftp_read_all_files, true)/' \
  "$top/selinux/pxemasq.te" >"$mutant"
cat >>"$mutant" <<'EOF'
optional_policy(`
	gen_require(`
		type tftpdir_rw_t;
	')
	allow pxemasq_t tftpdir_rw_t:file write;
')
allow pxemasq_t self:capability setuid;
EOF
expected="bind-tftp capabilities read-all-files-gates read-all-files-iso read-all-files-off tftpdir-rw-no-write"
if grep -q '^corenet_udp_bind_tftp_port(pxemasq_t)$' "$mutant" ||
  ! grep -q '^gen_tunable(pxemasq_tftp_read_all_files, true)$' "$mutant"; then
  fail "mutant module: the sed edits no longer apply to selinux/pxemasq.te (update the mutant)"
elif ! build_module "$work/mutant" "$mutant"; then
  fail "mutant module does not compile" "$(tail -10 "$work/mutant/build.log")"
elif ! link_policy "$work/mutant.bin" "$work/pp/dnsmasq.pp" "$work/pp/tftp.pp" "$work/mutant/pxemasq.pp"; then
  fail "mutant link/expand" "$(grep -v 'loading package' "$work/mutant.bin.log" | tail -10)"
else
  "$python" "$here/selinux-assert.py" "$work/mutant.bin" "$here/selinux-rules.txt" >"$work/mutant.out" 2>&1
  got=$(sed -n 's/^FAIL \([^:]*\):.*/\1/p' "$work/mutant.out" | sort | tr '\n' ' ' | sed 's/ $//')
  if [[ $got == "$expected" ]]; then
    pass "a module with 4 defects fails exactly: $got"
  else
    fail "mutant module: failed assertions '$got', expected '$expected'" "$(grep -v '^PASS' "$work/mutant.out")"
  fi
fi

echo "SUMMARY $passed passed, $failed failed"
((failed == 0))
