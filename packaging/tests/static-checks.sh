#!/usr/bin/env bash
# The packaging checks that need neither an EL9 machine nor ../shared (issue 6, Acceptance):
#   * systemd-analyze verify of every unit, in a scratch root holding the host's units, the
#     built daemon as /usr/sbin/pxemasq and our man pages (Documentation= must resolve); any
#     output fails, because verify exits 0 on unknown keys and bad values;
#   * systemd-analyze security of pxemasq.service: exposure at most 2.5;
#   * systemd-sysusers and systemd-tmpfiles on our files in the scratch root;
#   * mandoc -Tlint -W warning and groff -ww on the man pages (any output fails);
#   * the SELinux module compiles (selinux-policy-dev / selinux-policy-devel);
#   * firewall-offline-cmd accepts the firewalld service, on a copy of firewalld's config.
# A check whose tool is missing is reported as SKIP; the test fails only on a FAIL.
# Needs no root; touches nothing outside its scratch directory.
# Usage: static-checks.sh PATH/TO/pxemasq      exit 0 pass, 1 fail, 77 nothing could run
set -uo pipefail

pxemasq=$(realpath "$1")
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d /tmp/pxemasq-static.XXXXXX)
trap 'rm -rf "$work"' EXIT

passed=0 failed=0 skipped=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; [[ -n ${2:-} ]] && printf '%s\n' "$2" | sed 's/^/    /' | head -20; failed=$((failed + 1)); }
skip() { echo "SKIP $1"; skipped=$((skipped + 1)); }
have() { command -v "$1" >/dev/null 2>&1; }

units=()
for unit in "$top"/packaging/systemd/*.service "$top"/packaging/systemd/*.socket; do
  units+=("$(basename "$unit")")
done

# --- systemd: a scratch root with the host's units, ours, the daemon and kill --------------
root="$work/root"
man="$work/man"
mkdir -p "$root/usr/lib/systemd/system" "$root/usr/bin" "$root/usr/sbin" "$root/etc" \
  "$man/man5" "$man/man8"
ln -s usr/bin "$root/bin"
ln -s usr/sbin "$root/sbin"
cp -a /usr/lib/systemd/system/. "$root/usr/lib/systemd/system/" 2>/dev/null || true
cp "$top"/packaging/systemd/*.service "$top"/packaging/systemd/*.socket "$root/usr/lib/systemd/system/"
cp "$pxemasq" "$root/usr/sbin/pxemasq"
[[ -x /usr/bin/kill ]] && cp /usr/bin/kill "$root/usr/bin/kill"
cp "$top/man/pxemasq.conf.5" "$man/man5/"
cp "$top/man/pxemasq.8" "$man/man8/"

if have systemd-analyze; then
  # Templates are verified through an instance, the way they are used.
  names=()
  for unit in "${units[@]}"; do names+=("${unit/@./@ens33.}"); done
  out=$(cd "$work" && MANPATH="$man" systemd-analyze verify --man=yes --root="$root" "${names[@]}" 2>&1)
  rc=$?
  if [[ $rc -eq 0 && -z $out ]]; then pass "systemd-analyze verify: ${names[*]}"; else fail "systemd-analyze verify (rc $rc)" "$out"; fi

  out=$(systemd-analyze security --offline=yes --root="$root" --threshold=25 pxemasq.service 2>&1)
  rc=$?
  level=$(grep -oE 'Overall exposure level for pxemasq.service: [0-9.]+ [A-Z]+' <<<"$out" | sed 's/.*: //')
  if [[ $rc -eq 0 && -n $level ]]; then pass "systemd-analyze security pxemasq.service: exposure $level (at most 2.5)"
  else fail "systemd-analyze security pxemasq.service: exposure ${level:-unknown}, more than 2.5" "$(tail -5 <<<"$out")"; fi
else
  skip "systemd-analyze (package systemd)"
fi

if have systemd-sysusers; then
  out=$(systemd-sysusers --root="$root" "$top/packaging/systemd/pxemasq.sysusers" 2>&1)
  rc=$?
  if [[ $rc -eq 0 ]] && grep -q "pxemasq" "$root/etc/passwd" 2>/dev/null &&
    ! grep -qiE 'garbage|invalid|unknown|ignoring' <<<"$out"; then
    pass "systemd-sysusers: user pxemasq"
  else
    fail "systemd-sysusers (rc $rc)" "$out"
  fi
else
  skip "systemd-sysusers"
fi
if have systemd-tmpfiles; then
  out=$(systemd-tmpfiles --root="$root" --create "$top/packaging/systemd/pxemasq.tmpfiles" 2>&1)
  rc=$?
  if [[ $rc -eq 0 && -z $out && -d $root/var/lib/pxemasq ]]; then pass "systemd-tmpfiles: /var/lib/pxemasq"
  else fail "systemd-tmpfiles (rc $rc)" "$out"; fi
else
  skip "systemd-tmpfiles"
fi

# --- man pages ------------------------------------------------------------------------------
for page in "$top/man/pxemasq.8" "$top/man/pxemasq.conf.5"; do
  name=$(basename "$page")
  if have mandoc; then
    out=$(mandoc -Tlint -W warning "$page" 2>&1)
    rc=$?
    if [[ $rc -eq 0 && -z $out ]]; then pass "mandoc -Tlint $name"; else fail "mandoc -Tlint $name (rc $rc)" "$out"; fi
  else
    skip "mandoc -Tlint $name (package mandoc)"
  fi
  if have groff; then
    out=$(groff -mandoc -t -ww -z "$page" 2>&1)
    if [[ -z $out ]]; then pass "groff -ww $name"; else fail "groff -ww $name" "$out"; fi
  else
    skip "groff -ww $name (package groff-base)"
  fi
done

# --- SELinux module -------------------------------------------------------------------------
selinux_makefile=/usr/share/selinux/devel/Makefile
if [[ -f $selinux_makefile ]] && have checkmodule; then
  mkdir -p "$work/selinux"
  cp "$top"/selinux/pxemasq.te "$top"/selinux/pxemasq.fc "$top"/selinux/pxemasq.if "$work/selinux/"
  out=$(cd "$work/selinux" && make -f "$selinux_makefile" pxemasq.pp 2>&1)
  rc=$?
  if [[ $rc -eq 0 && -s $work/selinux/pxemasq.pp ]] && ! grep -qi 'warning' <<<"$out"; then
    pass "SELinux module pxemasq.pp compiles"
  else
    fail "SELinux module (rc $rc)" "$out"
  fi
else
  skip "SELinux module (packages selinux-policy-dev, checkpolicy)"
fi

# --- firewalld ------------------------------------------------------------------------------
# Always with --default-config and --system-config: without them firewall-offline-cmd would
# edit the host's /etc/firewalld.
if have firewall-offline-cmd && [[ -d /usr/lib/firewalld/services ]]; then
  fw="$work/firewalld"
  mkdir -p "$fw/default" "$fw/etc"
  cp -a /usr/lib/firewalld/. "$fw/default/"
  [[ -f /etc/firewalld/firewalld.conf ]] && cp /etc/firewalld/firewalld.conf "$fw/etc/"
  cp "$top/packaging/firewalld/pxemasq.xml" "$fw/default/services/"
  out=$(firewall-offline-cmd --default-config="$fw/default" --system-config="$fw/etc" --check-config 2>&1)
  rc=$?
  info=$(firewall-offline-cmd --default-config="$fw/default" --system-config="$fw/etc" --info-service=pxemasq 2>&1)
  if [[ $rc -eq 0 ]] && grep -q 'ports: 67/udp 69/udp 4011/udp' <<<"$info" && grep -q 'helpers: tftp' <<<"$info"; then
    pass "firewalld service pxemasq: 67/udp 69/udp (tftp helper) 4011/udp"
  else
    fail "firewalld service pxemasq (rc $rc)" "$out$info"
  fi
else
  skip "firewalld (firewall-offline-cmd)"
fi

echo "SUMMARY $passed passed, $failed failed, $skipped skipped"
((failed == 0)) || exit 1
((passed > 0)) || exit 77
exit 0
