#!/usr/bin/python3
"""A scripted PXE client (BIOS or UEFI firmware-shaped, pxe-lab.md) for proxy_kea_test.sh.

Run inside the client namespace: proxy_kea_client.py bios|uefi MAC IFACE SERVER_MAC
It does what the firmware does beside a proxy DHCP server: DISCOVER (broadcast), collects the
allocating server's OFFER and the proxy's OFFER, REQUESTs the address from the allocating server,
puts it on IFACE, then asks the boot server on port 4011: BIOS with the menu item of 43/71
(the first boot server of the proxy's menu), UEFI with the plain REQUEST OVMF sends to siaddr.
Prints one `KEY=VALUE` line per fact; exits 0 when the flow completed (the test checks values).
Every wait is bounded.
"""

import os
import select
import socket
import struct
import subprocess
import sys
import time

from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Raw

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
UUID = bytes.fromhex("00 8c4f2e1d0a9b4c3d8e7f6a5b4c3d2e1f".replace(" ", ""))


def options_bytes(options):
    out = b""
    for code, data in options:
        out += bytes([code, len(data)]) + data
    return out + b"\xff"


def bootp(mac, xid, options, flags=0, ciaddr="0.0.0.0"):
    header = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, flags,
                         socket.inet_aton(ciaddr), b"\0" * 4, b"\0" * 4, b"\0" * 4,
                         bytes.fromhex(mac.replace(":", "")).ljust(16, b"\0"), b"\0" * 64, b"\0" * 128)
    return (header + b"\x63\x82\x53\x63" + options_bytes(options)).ljust(300, b"\0")


def parse(frame, xid):
    eth = Ether(frame)
    if IP not in eth or UDP not in eth:
        return None
    payload = bytes(eth[UDP].payload)
    if len(payload) < 240:
        return None
    (op, _ht, _hl, _hops, rxid, _secs, flags, ciaddr, yiaddr, siaddr, _gi, _ch, sname,
     file) = struct.unpack("!BBBBIHH4s4s4s4s16s64s128s", payload[:236])
    if op != 2 or rxid != xid:
        return None
    opts = {}
    i = 240
    while i < len(payload) and payload[i] != 255:
        if payload[i] == 0:
            i += 1
            continue
        code, length = payload[i], payload[i + 1]
        opts[code] = opts.get(code, b"") + payload[i + 2:i + 2 + length]
        i += 2 + length
    return {"src": eth[IP].src, "sport": eth[UDP].sport, "dst": eth[IP].dst, "dport": eth[UDP].dport,
            "flags": flags, "ciaddr": socket.inet_ntoa(ciaddr), "yiaddr": socket.inet_ntoa(yiaddr),
            "siaddr": socket.inet_ntoa(siaddr), "sname": sname.split(b"\0")[0].decode("latin-1"),
            "file": file.split(b"\0")[0].decode("latin-1"), "options": opts,
            "server": socket.inet_ntoa(opts[54]) if len(opts.get(54, b"")) == 4 else ""}


class Wire:
    def __init__(self, iface, mac):
        self.iface, self.mac = iface, mac
        self.raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.raw.bind((iface, ETH_P_ALL))
        # Bound sockets keep the kernel from answering the replies with ICMP port unreachable.
        self.sinks = []
        for port in (68, 4011):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", port))
            self.sinks.append(s)

    def send(self, payload, src="0.0.0.0", dst="255.255.255.255", sport=68, dport=67, eth_dst="ff:ff:ff:ff:ff:ff"):
        frame = Ether(src=self.mac, dst=eth_dst) / IP(src=src, dst=dst) / UDP(sport=sport, dport=dport) / Raw(payload)
        self.raw.send(bytes(frame))

    def collect(self, xid, wait, want=None):
        got = []
        deadline = time.monotonic() + wait
        for _ in range(10000):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([self.raw], [], [], left)
            if not ready:
                break
            frame, address = self.raw.recvfrom(65535)
            if address[2] == PACKET_OUTGOING:
                continue
            reply = parse(frame, xid)
            if reply is not None:
                got.append(reply)
                if want is not None and len(got) >= want:
                    break
        return got


def sub_options(data):
    subs, i = {}, 0
    while i + 1 < len(data) and data[i] != 255:
        subs[data[i]] = data[i + 2:i + 2 + data[i + 1]]
        i += 2 + data[i + 1]
    return subs


def main():
    kind, mac, iface, server_mac = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    arch = 0 if kind == "bios" else 7
    vendor = b"PXEClient:Arch:%05d:UNDI:%s" % (arch, b"002001" if arch == 0 else b"003000")
    pxe = [(93, struct.pack("!H", arch)), (94, bytes([1, 2, 1] if arch == 0 else [1, 3, 0])), (97, UUID), (60, vendor)]
    prl = (55, bytes([1, 3, 6, 43, 54, 60, 66, 67, 97, 128, 129, 130]))
    wire = Wire(iface, mac)
    base = int(time.time()) & 0xFFFF
    xid = (arch << 24) | (base << 4)
    flags = 0 if arch == 0 else 0x8000

    wire.send(bootp(mac, xid, [(53, b"\x01"), (57, struct.pack("!H", 1472)), prl] + pxe, flags))
    offers = wire.collect(xid, 3.0, want=2)
    allocating = next((o for o in offers if o["yiaddr"] != "0.0.0.0"), None)
    proxy = next((o for o in offers if o["yiaddr"] == "0.0.0.0"), None)
    print(f"offers={len(offers)}")
    if allocating is None or proxy is None:
        print("result=missing-offer")
        return 1
    print(f"address_offer={allocating['yiaddr']} from={allocating['server']}")
    print(f"proxy_from={proxy['server']} proxy_siaddr={proxy['siaddr']} proxy_file={proxy['file']!r}")
    print(f"proxy_options={','.join(str(c) for c in proxy['options'])}")
    print(f"proxy_vendor={proxy['options'].get(60, b'').decode()} proxy_broadcast={proxy['flags'] >> 15}")
    print(f"proxy_43={'yes' if 43 in proxy['options'] else 'no'}")

    xid += 1
    wire.send(bootp(mac, xid, [(53, b"\x03"), (54, socket.inet_aton(allocating["server"])),
                               (50, socket.inet_aton(allocating["yiaddr"])), prl] + pxe, flags))
    acks = wire.collect(xid, 2.0)
    ack = next((a for a in acks if a["options"].get(53) == b"\x05"), None)
    print(f"acks_on_67={len(acks)} ack_from={ack['server'] if ack else ''}")
    if ack is None:
        print("result=no-ack")
        return 1
    address = ack["yiaddr"]
    print(f"address={address}")
    subprocess.run(["ip", "addr", "add", f"{address}/24", "dev", iface], check=True, timeout=5)

    if arch == 0:
        menu = sub_options(proxy["options"].get(43, b""))
        servers = menu.get(8, b"")
        if len(servers) < 7:
            print("result=no-boot-server-in-menu")
            return 1
        boot_type, server = struct.unpack("!H", servers[0:2])[0], socket.inet_ntoa(servers[3:7])
        print(f"menu_type={boot_type} menu_server={server}")
        request = [(53, b"\x03"), prl] + pxe + [(43, bytes([71, 4]) + struct.pack("!HH", boot_type, 0) + b"\xff")]
    else:
        server = proxy["siaddr"]
        request = [(53, b"\x03"), (57, struct.pack("!H", 65280)), prl] + pxe
    # The firmware's unicast to the boot server (its MAC given by the test: no ARP round here).
    xid += 1
    wire.send(bootp(mac, xid, request, 0, ciaddr=address), src=address, dst=server,
              sport=68 if arch == 0 else 4011, dport=4011, eth_dst=server_mac)
    boot = wire.collect(xid, 2.0)
    print(f"replies_4011={len(boot)}")
    if not boot:
        print("result=no-4011-reply")
        return 1
    b = boot[0]
    print(f"boot_from={b['src']}:{b['sport']} boot_to={b['dst']}:{b['dport']} boot_type={b['options'].get(53, b'?')[0]}")
    print(f"boot_file={b['file']} boot_siaddr={b['siaddr']} boot_yiaddr={b['yiaddr']} boot_sname={b['sname']}")
    print("result=ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
