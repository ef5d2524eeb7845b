#!/bin/sh
# check-http.sh URL [SECONDS]: a floatd health check that passes while URL answers.
#
#   URL      http:// or https:// only (curl would also read file://, ftp://...)
#   SECONDS  give up after this long, default 2; keep it below the check's `timeout`
#            in floatd.toml, so curl reports a slow service instead of being killed
#
# Exit status (floatd only tells 0 from the rest):
#   0  the server answered with a 2xx or 3xx status (redirects are not followed)
#   1  no answer, a timeout, or a 4xx/5xx status (curl's reason goes to floatd's log)
#   2  wrong arguments
#
# Use: install -o root -g root -m 755 check-http.sh /usr/local/lib/floatd/
#      [[check]] command = ["/usr/local/lib/floatd/check-http.sh", "http://127.0.0.1/health"]
# The arguments come from floatd.toml, run without a shell: nothing here is evaluated.
set -eu

if [ "$#" -lt 1 ] || [ "$#" -gt 2 ]; then
	echo "usage: check-http.sh URL [SECONDS]" >&2
	exit 2
fi
url=$1
seconds=${2:-2}
case $url in
http://* | https://*) ;;
*)
	echo "check-http.sh: only http:// and https:// URLs: '$url'" >&2
	exit 2
	;;
esac
case $seconds in
'' | *[!0-9.]*)
	echo "check-http.sh: SECONDS must be a number: '$seconds'" >&2
	exit 2
	;;
esac

# -f: a 4xx/5xx status is a failure; -sS: quiet, but say why it failed; --proto: no
# protocol switch on the way; -o /dev/null: the body does not matter.
if curl -fsS --max-time "$seconds" --proto =http,https -o /dev/null -- "$url"; then
	exit 0
fi
exit 1
