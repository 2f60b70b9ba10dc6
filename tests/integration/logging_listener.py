#!/usr/bin/python3
"""A local log daemon for the logging tests: binds a unix datagram socket (the journal socket
or /dev/log inside the test's private mount namespace) and writes each datagram it receives as
one JSON line.

  logging_listener.py journal|syslog SOCKET OUT --ready FILE [--until TEXT] [--timeout S]
                      [--hold FILE --drained FILE --idle S]

journal: the native journal protocol (systemd's "Native Journal Protocol" document): entries of
KEY=VALUE lines, or KEY, a newline, a 64-bit little-endian length, VALUE and a newline for values
that contain newlines; a big entry arrives as a memfd passed with SCM_RIGHTS and an empty
datagram. Each entry becomes a JSON object of its fields (plus "_via": "datagram" or "memfd").
syslog: each datagram becomes {"datagram": TEXT}.

--until TEXT stops after a line whose MESSAGE (journal) or datagram (syslog) ends with TEXT.
--hold FILE reads nothing until FILE exists (a stuck log daemon); then after --idle seconds
without a datagram it creates --drained FILE and goes on. Every wait is bounded by --timeout.
"""

import argparse
import array
import json
import os
import socket
import struct
import sys
import time


def parse_journal(data):
    fields = {}
    at = 0
    while at < len(data):
        newline = data.find(b"\n", at)
        if newline < 0:
            raise ValueError("entry without final newline at %d" % at)
        line = data[at:newline]
        if b"=" in line:
            key, value = line.split(b"=", 1)
            at = newline + 1
        else:
            key = line
            (length,) = struct.unpack_from("<Q", data, newline + 1)
            start = newline + 1 + 8
            value = data[start:start + length]
            if data[start + length:start + length + 1] != b"\n":
                raise ValueError("binary field %r not followed by a newline" % key)
            at = start + length + 1
        name = key.decode()
        if name in fields:
            raise ValueError("field %s twice" % name)
        fields[name] = value.decode("utf-8", "replace")
    return fields


def receive(sock, kind):
    fds = array.array("i")
    data, ancillary, _flags, _address = sock.recvmsg(1 << 24, socket.CMSG_SPACE(16))
    for level, ctype, payload in ancillary:
        if level == socket.SOL_SOCKET and ctype == socket.SCM_RIGHTS:
            fds.frombytes(payload[:len(payload) - (len(payload) % fds.itemsize)])
    via = "datagram"
    if fds:
        via = "memfd"
        with os.fdopen(fds[0], "rb") as memfd:
            memfd.seek(0)
            data = memfd.read()
        for extra in fds[1:]:
            os.close(extra)
    if kind == "syslog":
        return {"datagram": data.decode("utf-8", "replace")}
    entry = parse_journal(data)
    entry["_via"] = via
    return entry


def text_of(entry):
    return entry.get("MESSAGE", entry.get("datagram", ""))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["journal", "syslog"])
    parser.add_argument("socket")
    parser.add_argument("out")
    parser.add_argument("--ready", required=True)
    parser.add_argument("--until")
    parser.add_argument("--timeout", type=float, default=20)
    parser.add_argument("--hold")
    parser.add_argument("--drained")
    parser.add_argument("--idle", type=float, default=1.5)
    args = parser.parse_args()

    deadline = time.monotonic() + args.timeout
    if os.path.exists(args.socket):
        os.unlink(args.socket)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(args.socket)
    os.chmod(args.socket, 0o666)
    open(args.ready, "w").close()

    if args.hold:
        while not os.path.exists(args.hold):
            if time.monotonic() > deadline:
                print("listener: timed out holding", file=sys.stderr)
                return 1
            time.sleep(0.02)

    drained = not args.drained
    with open(args.out, "w") as out:
        while time.monotonic() < deadline:
            wait = args.idle if not drained else max(0.05, deadline - time.monotonic())
            sock.settimeout(min(wait, max(0.05, deadline - time.monotonic())))
            try:
                entry = receive(sock, args.kind)
            except socket.timeout:
                if not drained:
                    open(args.drained, "w").close()
                    drained = True
                continue
            out.write(json.dumps(entry) + "\n")
            out.flush()
            if args.until and text_of(entry).endswith(args.until):
                return 0
    print("listener: timed out", file=sys.stderr)
    return 1 if args.until else 0


if __name__ == "__main__":
    sys.exit(main())
