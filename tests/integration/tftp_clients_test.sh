#!/usr/bin/env bash
# The TFTP service against real clients (issue 4's interop acceptance, at test size): two
# network namespaces created here, joined by veth pairs — the server side `ens33` with
# 192.168.1.70/24 as the seed lab, plus `ens34` (192.168.2.70/24) that the config does not
# serve. pxemasq -d runs in the server namespace on `interface=ens33`, `enable-tftp` and a
# generated tftp-root. In the client namespace tftp-hpa's tftp (lockstep, 512, octet and
# netascii), atftp (blksize, windowsize, tsize), curl and busybox tftp fetch every file of the
# tree at blksize 512, 1468 and 8192 (0 B to 10 MiB, exact multiples of the block sizes, and
# 100 MiB at every block size — about a minute in all; PXEMASQ_TFTP_LARGE=0 leaves it out), atftp
# also without tsize; every byte is checked by sha256. Then the refusals — not
# found (with the hint), `..`, symlinks out of the root, a 0600 file, a directory, a WRQ, a URL
# for another host, a request on a non-served interface — and the accepted URL name
# `http://192.168.1.70/sub/file.bin`, each with its log line; a python client plays the UEFI
# tsize probe, a TID mismatch and a windowed transfer with a lost ACK; a second run with
# tftp-max=1 shows the excess request refused with an ERROR, not queued.
# Usage: tftp_clients_test.sh PATH/TO/pxemasq   (root; exits 77 = skipped when root, ip,
# python3 or one of the clients — Debian packages tftp-hpa, atftp, curl, busybox — is missing)
set -euo pipefail

pxemasq=$(realpath "$1")
missing=()
for tool in ip python3 sha256sum tftp atftp curl busybox timeout; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [[ $(id -u) -ne 0 ]] || ((${#missing[@]})); then
  echo "SKIP: needs root and: ip python3 tftp (tftp-hpa) atftp curl busybox; missing: ${missing[*]:-none}"
  exit 77
fi

suffix=$$
server_ns="pxq-tftp-$suffix-srv"
client_ns="pxq-tftp-$suffix-cli"
work=$(mktemp -d)
root="$work/tftpboot"
daemon_pid=""
server=192.168.1.70
client_ip=192.168.1.20

stop_daemon() {
  if [[ -n $daemon_pid ]] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill "$daemon_pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 50; i++)); do
      kill -0 "$daemon_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
  daemon_pid=""
}
cleanup() {
  stop_daemon
  ip netns del "$server_ns" 2>/dev/null || true
  ip netns del "$client_ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

failures=0
passes=0
check() {  # check DESCRIPTION COMMAND...
  local description=$1
  shift
  if "$@"; then
    passes=$((passes + 1))
  else
    echo "FAIL - $description"
    failures=$((failures + 1))
  fi
}
in_client() { ip netns exec "$client_ns" "$@"; }

# ---- lab ---------------------------------------------------------------------------------------
ip netns add "$server_ns"
ip netns add "$client_ns"
ip link add ens33 netns "$server_ns" type veth peer name eth0 netns "$client_ns"
ip link add ens34 netns "$server_ns" type veth peer name eth1 netns "$client_ns"
ip -n "$server_ns" addr add $server/24 brd + dev ens33
ip -n "$server_ns" addr add 192.168.2.70/24 brd + dev ens34
ip -n "$client_ns" addr add $client_ip/24 brd + dev eth0
ip -n "$client_ns" addr add 192.168.2.20/24 brd + dev eth1
for link in lo ens33 ens34; do ip -n "$server_ns" link set "$link" up; done
for link in lo eth0 eth1; do ip -n "$client_ns" link set "$link" up; done

# ---- the tree ----------------------------------------------------------------------------------
mkdir -p "$root/sub/deep" "$work/client"
head -c 0 /dev/urandom >"$root/empty.bin"
head -c 1024 /dev/urandom >"$root/1k.bin"
head -c $((1 << 20)) /dev/urandom >"$root/1m.bin"
head -c $((10 << 20)) /dev/urandom >"$root/10m.bin"
# 100 MiB (issue 4's largest interop size) unless PXEMASQ_TFTP_LARGE=0 (a quick local run).
large=${PXEMASQ_TFTP_LARGE:-1}
((large)) && head -c $((100 << 20)) /dev/urandom >"$root/100m.bin"
head -c $((512 * 100)) /dev/urandom >"$root/x512.bin"        # a multiple of 512
head -c $((1468 * 50)) /dev/urandom >"$root/x1468.bin"       # a multiple of 1468
head -c $((8192 * 9)) /dev/urandom >"$root/x8192.bin"        # a multiple of 8192 (and 512)
head -c 187904 /dev/urandom >"$root/x512x1468.bin"           # lcm(512, 1468)
head -c 3000 /dev/urandom >"$root/sub/file.bin"
printf 'kernel=b.b00\nmodules=a.gz --- b.gz\n' >"$root/sub/deep/boot.cfg"
printf 'line one\nline two\r\nbare\rcr\n\n' >"$root/text.txt"
ln -s sub/file.bin "$root/link-in.bin"                 # relative, stays inside
ln -s "$root/sub/file.bin" "$root/link-abs.bin"        # absolute, inside the root
printf 'outside the root\n' >"$work/secret.txt"
ln -s ../secret.txt "$root/link-out.bin"               # relative, leaves the root
ln -s "$work/secret.txt" "$root/link-out-abs.bin"      # absolute, outside
head -c 100 /dev/urandom >"$root/private.bin"
chmod 0600 "$root/private.bin"                         # not world-readable: refused as root
chmod -R a+rX "$root"
chmod 0600 "$root/private.bin"
served_files=(empty.bin 1k.bin 1m.bin 10m.bin x512.bin x1468.bin x8192.bin x512x1468.bin
  sub/file.bin link-in.bin link-abs.bin)

start_daemon() {  # start_daemon EXTRA-CONFIG-LINES
  cat >"$work/pxemasq.conf" <<EOF
interface=ens33
enable-tftp
tftp-root=$root
$1
EOF
  : >"$work/daemon.log"
  ip netns exec "$server_ns" "$pxemasq" -d -C "$work/pxemasq.conf" >>"$work/daemon.log" 2>&1 &
  daemon_pid=$!
  local i
  for ((i = 0; i < 100; i++)); do
    ip netns exec "$server_ns" ss -Hlun 'sport = :69' 2>/dev/null | grep -q . && return 0
    kill -0 "$daemon_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "FAIL - pxemasq did not start listening on port 69"
  cat "$work/daemon.log"
  exit 1
}

# Bounded wait for a log line (the daemon logs right after the last packet).
log_has() {  # log_has FIXED-STRING
  local i
  for ((i = 0; i < 50; i++)); do
    grep -qF -- "$1" "$work/daemon.log" && return 0
    sleep 0.1
  done
  echo "  (log lacks: $1)"
  return 1
}

same_file() {  # same_file EXPECTED GOT
  [[ -f $2 ]] && [[ $(sha256sum <"$1") == "$(sha256sum <"$2")" ]]
}

# fetch CLIENT BLKSIZE NAME OUT: one download with one client, bounded in time.
fetch() {
  local client=$1 blksize=$2 name=$3 out=$4
  rm -f "$out"
  case $client in
    tftp-hpa)  # no options at all: lockstep, 512-byte blocks; literal mode for `:` in names
      in_client timeout 240 tftp -l -m octet $server -c get "$name" "$out" ;;
    tftp-hpa-netascii)
      in_client timeout 240 tftp -l -m netascii $server -c get "$name" "$out" ;;
    atftp)
      in_client timeout 240 atftp --get -r "$name" -l "$out" --option "blksize $blksize" \
        --option "tsize enable" $server ;;
    atftp-no-tsize)
      in_client timeout 240 atftp --get -r "$name" -l "$out" --option "blksize $blksize" $server ;;
    atftp-window8)
      in_client timeout 240 atftp --get -r "$name" -l "$out" --option "blksize $blksize" \
        --option "windowsize 8" --option "tsize enable" $server ;;
    curl)
      # curl 7.88 rejects an OACK with `tsize 0` ("invalid tsize"), from dnsmasq as from us: an
      # empty file is fetched without options.
      local options=(--tftp-blksize "$blksize")
      [[ $name == empty.bin ]] && options=(--tftp-no-options)
      in_client timeout 240 curl -sS --max-time 230 "${options[@]}" -o "$out" \
        "tftp://$server/$name" ;;
    busybox)
      in_client timeout 240 busybox tftp -g -b "$blksize" -r "$name" -l "$out" $server ;;
  esac
}

# ---- downloads ---------------------------------------------------------------------------------
start_daemon ""
declare -A matrix=()
large_started=0
large_seconds=0
for client in tftp-hpa atftp atftp-no-tsize atftp-window8 curl busybox; do
  sizes=(512 1468 8192)
  [[ $client == tftp-hpa ]] && sizes=(512)
  for blksize in "${sizes[@]}"; do
    ok=0
    total=0
    files=("${served_files[@]}")
    ((large)) && files+=(100m.bin)
    for name in "${files[@]}"; do
      # 10 MiB once per client (at its largest block size) keeps the run short; 100 MiB at
      # every block size, but for atftp without tsize only once (the bytes are the same).
      [[ $name == 10m.bin && $blksize != "${sizes[-1]}" ]] && continue
      [[ $name == 100m.bin && $client == atftp-no-tsize && $blksize != 1468 ]] && continue
      [[ $name == 100m.bin ]] && large_started=$(date +%s%N)
      out="$work/client/$client-$blksize-${name//\//_}"
      total=$((total + 1))
      status=0
      fetch "$client" "$blksize" "$name" "$out" >"$work/client.out" 2>&1 || status=$?
      if [[ $client == curl && $name == empty.bin && $status -eq 0 && ! -e $out ]]; then
        : >"$out"  # curl writes no file for an empty body
      fi
      if [[ $name == 100m.bin ]]; then
        large_seconds=$((large_seconds + ($(date +%s%N) - large_started) / 1000000))
      fi
      if [[ $status -eq 0 ]] && same_file "$root/$name" "$out"; then
        ok=$((ok + 1))
        passes=$((passes + 1))
        [[ $name == 100m.bin ]] && rm -f "$out"  # 100 MiB each: do not keep them all
      else
        echo "FAIL - $client blksize $blksize: $name (exit $status)"
        sed 's/^/    /' "$work/client.out"
        failures=$((failures + 1))
      fi
    done
    matrix["$client/$blksize"]="$ok/$total"
  done
done

# netascii (tftp-hpa converts CR LF back to LF): the bytes as the file has them.
fetch tftp-hpa-netascii 512 text.txt "$work/client/text.txt" >"$work/client.out" 2>&1 || true
check "tftp-hpa netascii: text.txt round-trips" same_file "$root/text.txt" "$work/client/text.txt"

check "log: sent 10m.bin" log_has "pxemasq-tftp: sent $root/10m.bin to $client_ip"
check "log: sent empty.bin" log_has "pxemasq-tftp: sent $root/empty.bin to $client_ip"
check "log: a symlink inside the root is logged by its own name" \
  log_has "pxemasq-tftp: sent $root/link-abs.bin to $client_ip"

# ---- the URL name served from the root ------------------------------------------------------
for client in tftp-hpa atftp busybox; do
  out="$work/client/url-$client"
  status=0
  fetch "$client" 1468 "http://$server/sub/file.bin" "$out" >"$work/client.out" 2>&1 || status=$?
  check "$client: http://$server/sub/file.bin is served as sub/file.bin" \
    same_file "$root/sub/file.bin" "$out"
done
check "log: URL name" \
  log_has "pxemasq-tftp: sent $root/sub/file.bin to $client_ip (requested as http://$server/sub/file.bin)"

# ---- refusals: an ERROR for the client, dnsmasq's line in the log ---------------------------
refused() {  # refused NAME EXPECTED-LOG-LINE [CLIENT-OUTPUT-PATTERN]
  local name=$1 line=$2 pattern=${3:-}
  local out="$work/client/refused"
  rm -f "$out"
  local status=0
  in_client timeout 30 busybox tftp -g -r "$name" -l "$out" $server >"$work/client.out" 2>&1 || status=$?
  check "$name: the client gets an error" test "$status" -ne 0
  check "$name: no byte from outside the root" bash -c "! grep -q 'outside the root' '$out' 2>/dev/null"
  check "$name: log line" log_has "$line"
  if [[ -n $pattern ]]; then
    check "$name: client sees '$pattern'" grep -qF -- "$pattern" "$work/client.out"
  fi
  if grep -qF "$root" "$work/client.out"; then
    echo "FAIL - $name: the ERROR packet discloses the server path"
    sed 's/^/    /' "$work/client.out"
    failures=$((failures + 1))
  fi
}
refused nope.bin "pxemasq-tftp: file $root/nope.bin not found for $client_ip" "file nope.bin not found"
refused boot.cfg "pxemasq-tftp: file $root/boot.cfg not found for $client_ip; sub/deep/boot.cfg exists"
refused ../secret.txt "pxemasq-tftp: cannot access $root/../secret.txt: Permission denied"
refused sub/../../secret.txt "pxemasq-tftp: cannot access $root/sub/../../secret.txt: Permission denied"
refused '..\secret.txt' "pxemasq-tftp: cannot access $root/../secret.txt: Permission denied"
refused link-out.bin "pxemasq-tftp: cannot access $root/link-out.bin: Permission denied"
refused link-out-abs.bin "pxemasq-tftp: cannot access $root/link-out-abs.bin: Permission denied"
refused private.bin "pxemasq-tftp: cannot access $root/private.bin: Permission denied"
refused sub "pxemasq-tftp: cannot read $root/sub: Is a directory"
refused "http://10.9.9.9/sub/file.bin" \
  "pxemasq-tftp: file $root/http://10.9.9.9/sub/file.bin not found for $client_ip; the requested name is a URL for a host that is not this server"
# curl reports TFTP errors by code; tftp-hpa prints the server's text.
in_client timeout 30 tftp -l $server -c get nope.bin "$work/client/nope" >"$work/client.out" 2>&1 || true
check "tftp-hpa sees 'Error code 1: file nope.bin not found'" \
  grep -qF "Error code 1: file nope.bin not found" "$work/client.out"

# WRQ: refused as dnsmasq does (ERROR 4, `unsupported request from ADDR`).
printf 'upload\n' >"$work/client/upload.txt"
(cd "$work/client" && in_client timeout 30 tftp -l $server -c put upload.txt) >"$work/client.out" 2>&1 || true
check "WRQ: the client sees error code 4" grep -q "Error code 4" "$work/client.out"
check "WRQ: log line" log_has "pxemasq-tftp: unsupported request from $client_ip"
check "WRQ: nothing written" test ! -e "$root/upload.txt"

# A request on ens34 (not in interface=) is dropped without a word.
lines_before=$(wc -l <"$work/daemon.log")
status=0
in_client timeout 4 busybox tftp -g -r 1k.bin -l "$work/client/ens34" 192.168.2.70 >/dev/null 2>&1 || status=$?
check "ens34: no answer (client timed out)" test "$status" -ne 0
check "ens34: nothing logged" test "$(wc -l <"$work/daemon.log")" -eq "$lines_before"

# ---- protocol corners a python client plays -----------------------------------------------------
cat >"$work/probe.py" <<'PY'
import socket, struct, sys, time
server, mode = sys.argv[1], sys.argv[2]
def rrq(name, *options):
    body = struct.pack("!H", 1) + name.encode() + b"\0octet\0"
    for o in options:
        body += o.encode() + b"\0"
    return body
def sock():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    return s
if mode == "probe":
    # The UEFI tsize probe: RRQ with tsize and blksize, read the OACK, abort with ERROR 8.
    s = sock()
    s.sendto(rrq("1m.bin", "tsize", "0", "blksize", "1468"), (server, 69))
    data, peer = s.recvfrom(65536)
    op = struct.unpack("!H", data[:2])[0]
    print("oack" if op == 6 else "no-oack %d" % op, data[2:].split(b"\0")[:4])
    s.sendto(struct.pack("!HH", 5, 8) + b"tsize probe\0", peer)
elif mode == "tid":
    # A packet from a second port to the transfer's TID gets ERROR 5; the transfer goes on.
    s = sock()
    s.sendto(rrq("1k.bin"), (server, 69))
    data, peer = s.recvfrom(65536)
    stray = sock()
    stray.sendto(struct.pack("!HH", 4, 1), peer)
    err, _ = stray.recvfrom(65536)
    print("stray got opcode %d code %d" % struct.unpack("!HH", err[:4]))
    got = data[4:]
    block = 1
    while True:
        s.sendto(struct.pack("!HH", 4, block), peer)
        if len(data) - 4 < 512:
            break
        data, _ = s.recvfrom(65536)
        block = struct.unpack("!H", data[2:4])[0]
        got += data[4:]
    print("tid transfer bytes %d" % len(got))
elif mode == "window":
    # RFC 7440 client, windowsize 4, blksize 512, over x512.bin (100 full blocks, then an
    # empty one). Block 7 is "lost": when 8 arrives instead, the client ACKs 6 and the server
    # must send the next window from 7.
    s = sock()
    s.sendto(rrq("x512.bin", "blksize", "512", "windowsize", "4"), (server, 69))
    data, peer = s.recvfrom(65536)
    assert struct.unpack("!H", data[:2])[0] == 6, data
    s.sendto(struct.pack("!HH", 4, 0), peer)
    got, expected, in_window, dropped = bytearray(), 1, 0, False
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        data, _ = s.recvfrom(65536)
        n = struct.unpack("!H", data[2:4])[0]
        if n == 7 and not dropped:
            dropped = True
            continue
        if n != expected:
            if n == expected + 1:  # the gap: ACK what we have
                s.sendto(struct.pack("!HH", 4, expected - 1), peer)
                in_window = 0
            continue
        got += data[4:]
        expected += 1
        in_window += 1
        final = len(data) - 4 < 512
        if final or in_window == 4:
            s.sendto(struct.pack("!HH", 4, n), peer)
            in_window = 0
        if final:
            break
    print("window transfer bytes %d dropped %s" % (len(got), dropped))
    open(sys.argv[3], "wb").write(got)
elif mode == "hold":
    # Start a transfer and keep it open (no ACK) for a few seconds.
    s = sock()
    s.sendto(rrq("1m.bin"), (server, 69))
    data, peer = s.recvfrom(65536)
    print("holding, got opcode %d" % struct.unpack("!H", data[:2]))
    sys.stdout.flush()
    time.sleep(float(sys.argv[3]))
elif mode == "port":
    # Which port the first reply comes from (single-port: 69; a port range: inside it).
    s = sock()
    s.sendto(rrq(sys.argv[3]), (server, 69))
    data, peer = s.recvfrom(65536)
    print("reply opcode %d from port %d" % (struct.unpack("!H", data[:2])[0], peer[1]))
    s.sendto(struct.pack("!HH", 5, 0) + b"done\0", peer)
elif mode == "hostile":
    # Escape attempts and malformed requests: every answer must be an ERROR (or nothing), no
    # DATA may carry the outside file, and the server must still answer afterwards.
    names = open(sys.argv[3], "rb").read().split(b"\n--\n")
    leaks = datas = errors = silent = 0
    for name in names:
        s = sock()
        s.settimeout(1.5)
        if name.startswith(b"RAW:"):
            s.sendto(name[4:], (server, 69))
        else:
            s.sendto(struct.pack("!H", 1) + name + b"\0octet\0", (server, 69))
        try:
            data, peer = s.recvfrom(65536)
        except socket.timeout:
            silent += 1
            print("silent", name[:60])
            continue
        op = struct.unpack("!H", data[:2])[0]
        if op == 5:
            errors += 1
            # The root's path must not appear unless the client sent it itself.
            if sys.argv[4].encode() in data and sys.argv[4].encode() not in name:
                leaks += 1
                print("path disclosed", data)
        else:
            datas += 1
            print("answered opcode %d for %r" % (op, name[:80]))
            if b"outside the root" in data:
                leaks += 1
            s.sendto(struct.pack("!HH", 5, 0) + b"stop\0", peer)
    print("hostile names %d errors %d data %d silent %d leaks %d" % (len(names), errors, datas, silent, leaks))
elif mode == "busy":
    s = sock()
    s.sendto(rrq("1k.bin"), (server, 69))
    data, peer = s.recvfrom(65536)
    op, code = struct.unpack("!HH", data[:4])
    print("busy got opcode %d code %d text %s" % (op, code, data[4:-1].decode()))
PY
in_client timeout 20 python3 "$work/probe.py" $server probe >"$work/probe.out" 2>&1 || true
check "size probe: OACK with tsize and blksize" grep -q "^oack \[b'tsize', b'1048576', b'blksize', b'1468'\]\|^oack \[b'blksize', b'1468', b'tsize', b'1048576'\]" "$work/probe.out"
check "size probe: dnsmasq's error line" log_has "pxemasq-tftp: error 8 tsize probe received from $client_ip"
check "size probe: logged as a probe, not as sent" \
  log_has "pxemasq-tftp: transfer of $root/1m.bin aborted by $client_ip after the option acknowledgement (size probe, no data sent)"

in_client timeout 20 python3 "$work/probe.py" $server tid >"$work/probe.out" 2>&1 || true
check "TID mismatch: ERROR 5 to the stray port" grep -q "^stray got opcode 5 code 5$" "$work/probe.out"
check "TID mismatch: the transfer went on" grep -q "^tid transfer bytes 1024$" "$work/probe.out"
check "TID mismatch: log line" log_has "pxemasq-tftp: ignoring packet from $client_ip (TID mismatch)"

in_client timeout 30 python3 "$work/probe.py" $server window "$work/client/window.bin" >"$work/probe.out" 2>&1 || true
check "windowsize 4 with a gap: every byte arrives" same_file "$root/x512.bin" "$work/client/window.bin"

# Hostile names (escapes by `..`, backslashes, absolute paths, URLs, symlinked directories,
# %-encodings, NUL tricks, over-long names) and malformed requests (RAW: bytes as sent).
ln -s "$work" "$root/dir-out"
long_component=$(printf 'a%.0s' {1..300})
long_name=$(printf 'b/%.0s' {1..2100})
python3 - "$work/hostile.txt" "$root" "$work" "$long_component" "$long_name" <<'PY'
import struct, sys
out, root, work, long_component, long_name = sys.argv[1:]
names = [
    "../secret.txt", "..\\secret.txt", "/../secret.txt", "x/../../secret.txt",
    "sub/../../secret.txt", "./../secret.txt", ".././secret.txt", "sub/deep/../../../secret.txt",
    root + "/../secret.txt", work + "/secret.txt", "/" + work + "/secret.txt", "//../secret.txt",
    "\\..\\secret.txt", "sub\\..\\..\\secret.txt", "..", "../", "sub/..", "/", ".",
    "http://192.168.1.70/../secret.txt", "http://192.168.1.70/sub/../../secret.txt",
    "https://192.168.1.70:443/../secret.txt", "HTTP://192.168.1.70/..\\secret.txt",
    "http://192.168.1.70/", "link-out.bin", "link-out-abs.bin", "dir-out/secret.txt",
    "sub/../dir-out/secret.txt", "%2e%2e/secret.txt", "%2e%2e%2fsecret.txt", "..%2fsecret.txt",
    "http://192.168.1.70/%2e%2e/secret.txt", long_component, long_name,
]
raw = [
    b"RAW:" + struct.pack("!H", 1) + b"sub/file.bin\0../../secret.txt\0",  # NUL trick: bad mode
    b"RAW:" + struct.pack("!H", 1) + b"sub/file.bin\0octet",               # no final NUL
    b"RAW:" + struct.pack("!H", 1) + b"\0octet\0",                         # empty name
    b"RAW:" + struct.pack("!H", 1) + b"1k.bin\0mail\0",                     # unsupported mode
    b"RAW:" + struct.pack("!H", 1) + b"1k.bin\0octet\0" + b"x\0" * 1000,    # 500 options
    b"RAW:" + struct.pack("!H", 9) + b"junk",                               # unknown opcode
    b"RAW:" + struct.pack("!H", 3) + b"\0\1data",                           # DATA to port 69
]
open(out, "wb").write(b"\n--\n".join([n.encode() for n in names] + raw))
PY
in_client timeout 120 python3 "$work/probe.py" $server hostile "$work/hostile.txt" "$root" >"$work/probe.out" 2>&1 || true
check "hostile: 41 requests, all answered by an ERROR, nothing leaked or disclosed" \
  grep -q "^hostile names 41 errors 41 data 0 silent 0 leaks 0$" "$work/probe.out"
grep -q "^hostile names 41 errors 41 data 0 silent 0 leaks 0$" "$work/probe.out" ||
  sed 's/^/    /' "$work/probe.out"
# Malformed options are ignored, not fatal: blksize 0 / 70000, windowsize 0 / 65536.
for options in "blksize 0" "blksize 70000" "windowsize 0" "windowsize 65536"; do
  rm -f "$work/client/odd"
  in_client timeout 30 atftp --get -r 1k.bin -l "$work/client/odd" --option "$options" $server \
    >"$work/client.out" 2>&1 || true
  check "option $options: the file still arrives" same_file "$root/1k.bin" "$work/client/odd"
done
check "pxemasq still running after the hostile requests" kill -0 "$daemon_pid"
stop_daemon
daemon_log_main="$work/daemon-main.log"
cp "$work/daemon.log" "$daemon_log_main"

# ---- tftp-max=1: the excess request gets an ERROR at once -----------------------------------
start_daemon "tftp-max=1"
in_client timeout 20 python3 "$work/probe.py" $server hold 3 >"$work/hold.out" 2>&1 &
hold_pid=$!
for ((i = 0; i < 50; i++)); do
  grep -q '^holding' "$work/hold.out" 2>/dev/null && break
  sleep 0.1
done
in_client timeout 10 python3 "$work/probe.py" $server busy >"$work/probe.out" 2>&1 || true
wait "$hold_pid" 2>/dev/null || true
check "tftp-max=1: the second request gets ERROR 0 at once" \
  grep -q "^busy got opcode 5 code 0 text too many TFTP transfers, try again later$" "$work/probe.out"
check "tftp-max=1: log line" \
  log_has "pxemasq-tftp: maximum simultaneous TFTP transfers (1) reached: refused 1k.bin from $client_ip"
stop_daemon

# ---- single port and tftp-unique-root=ip; then a port range -----------------------------------
mkdir -p "$root/$client_ip"
head -c 300000 /dev/urandom >"$root/$client_ip/only-mine.bin"
chmod -R a+rX "$root/$client_ip"
start_daemon "tftp-single-port
tftp-unique-root=ip"
in_client timeout 20 python3 "$work/probe.py" $server port only-mine.bin >"$work/probe.out" 2>&1 || true
check "single-port: replies come from port 69" grep -q "^reply opcode 3 from port 69$" "$work/probe.out"
for client in atftp-window8 busybox curl; do
  fetch "$client" 1468 only-mine.bin "$work/client/mine-$client" >"$work/client.out" 2>&1 || true
  check "single-port + unique-root: $client gets only-mine.bin" \
    same_file "$root/$client_ip/only-mine.bin" "$work/client/mine-$client"
done
check "unique-root: log names the client's directory" \
  log_has "pxemasq-tftp: sent $root/$client_ip/only-mine.bin to $client_ip"
stop_daemon
start_daemon "tftp-port-range=40000,40001"
in_client timeout 20 python3 "$work/probe.py" $server port 1k.bin >"$work/probe.out" 2>&1 || true
check "port range: the transfer's port is 40000" grep -q "^reply opcode 3 from port 40000$" "$work/probe.out"
stop_daemon

((large)) && echo "--- the 100 MiB downloads took $((large_seconds / 1000)) s in all"
echo "--- interop matrix (files ok / files tried)"
for key in $(printf '%s\n' "${!matrix[@]}" | sort); do
  printf '  %-22s %s\n' "$key" "${matrix[$key]}"
done
echo "--- TFTP log lines (first run, transfers elided)"
grep -v ": sent $root/[^ ]* to $client_ip$" "$daemon_log_main" | sed 's/^/  /' || true

echo "$passes passed, $failures failed"
((failures == 0))
