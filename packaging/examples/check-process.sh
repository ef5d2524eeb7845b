#!/bin/sh
# check-process.sh NAME: a floatd health check that passes while a process called NAME runs.
#
#   NAME  the program name as pidof(8) matches it (e.g. "haproxy"), not a pattern
#
# Exit status: 0 a process NAME runs; 1 none does; 2 wrong arguments.
#
# Mind the sandbox: under the packaged floatd.service (ProtectProc=invisible) a check sees
# only the processes of its own user, floatd-script, so this finds nothing that runs as
# another user. For such a service, probe what it serves (check-http.sh) or its unit
# (["/bin/systemctl", "is-active", "--quiet", "haproxy.service"]).
#
# Use: install -o root -g root -m 755 check-process.sh /usr/local/lib/floatd/
#      [[check]] command = ["/usr/local/lib/floatd/check-process.sh", "haproxy"]
set -eu

if [ "$#" -ne 1 ] || [ -z "$1" ]; then
	echo "usage: check-process.sh NAME" >&2
	exit 2
fi
if pidof -- "$1" >/dev/null; then
	exit 0
fi
echo "no process named '$1'" >&2
exit 1
