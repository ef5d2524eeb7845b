#!/bin/sh
# check-file.sh [--absent] PATH: a floatd health check that passes while PATH exists (or,
# with --absent, while it does not). A switch for operators and deploy scripts:
#
#   healthy only while the application says so:    check-file.sh /run/myapp/ready
#   drain this host by hand (touch it, rm it):      check-file.sh --absent /etc/floatd/drain
#
# Exit status: 0 healthy; 1 not; 2 wrong arguments.
#
# The packaged floatd.service gives floatd (and its checks) a private /tmp: a flag file in
# the host's /tmp is invisible to the check. Use /run, /etc or /var/lib.
#
# Use: install -o root -g root -m 755 check-file.sh /usr/local/lib/floatd/
#      [[check]] command = ["/usr/local/lib/floatd/check-file.sh", "--absent", "/etc/floatd/drain"]
set -eu

want=present
if [ "$#" -eq 2 ] && [ "$1" = --absent ]; then
	want=absent
	shift
fi
if [ "$#" -ne 1 ] || [ -z "$1" ]; then
	echo "usage: check-file.sh [--absent] PATH" >&2
	exit 2
fi

if [ -e "$1" ]; then
	[ "$want" = present ] && exit 0
	echo "$1 exists" >&2
else
	[ "$want" = absent ] && exit 0
	echo "$1 does not exist" >&2
fi
exit 1
