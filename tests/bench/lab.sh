# Sourced by tftp_bench.sh and http_bench.sh: their two-namespace lab. Server namespace
# `pxq-NAME-PID-srv` with `ens33` 192.168.1.70/24, client namespace `pxq-NAME-PID-cli` with `eth0`
# 192.168.1.20/24, one veth pair between them; nothing leaves them, nothing is put on the host.
#
# lab_up NAME WORKNAME: creates both namespaces and sets server_ns, client_ns, work (a 0755
# directory /tmp/WORKNAME.XXXXXX), root ($work/root, 0755) and server_pid (empty; set it to the
# server's PID while one runs). On exit (also on INT/TERM) lab_cleanup stops that server by PID,
# deletes both namespaces and removes $work unless keep_work=1.

lab_cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null
  [[ -n $server_pid ]] && wait "$server_pid" 2>/dev/null
  ip netns del "$server_ns" 2>/dev/null
  ip netns del "$client_ns" 2>/dev/null
  if ((${keep_work:-0})); then echo "work kept: $work"; else rm -rf "$work"; fi
}

lab_up() {
  local name=$1 work_name=$2
  server_ns="pxq-$name-$$-srv"
  client_ns="pxq-$name-$$-cli"
  work=$(mktemp -d "/tmp/$work_name.XXXXXX")
  chmod 755 "$work"
  server_pid=""
  trap lab_cleanup EXIT
  trap 'exit 130' INT TERM
  ip netns add "$server_ns"
  ip netns add "$client_ns"
  ip link add ens33 netns "$server_ns" type veth peer name eth0 netns "$client_ns"
  ip -n "$server_ns" addr add 192.168.1.70/24 brd + dev ens33
  ip -n "$client_ns" addr add 192.168.1.20/24 brd + dev eth0
  local link
  for link in lo ens33; do ip -n "$server_ns" link set "$link" up; done
  for link in lo eth0; do ip -n "$client_ns" link set "$link" up; done
  root="$work/root"
  mkdir -p "$root"
  chmod 755 "$root"
}
