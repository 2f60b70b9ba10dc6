#!/bin/sh
# udhcpc's event script for the lab: print what the client was given.
case "$1" in
  bound|renew)
    echo "client: $1 ip=$ip mask=$subnet router=$router dns=$dns lease=$lease siaddr=$siaddr boot_file=$boot_file serverid=$serverid"
    ;;
esac
exit 0
