# SPDX-License-Identifier: GPL-2.0
# Runs in dom0 shortly before run.sh's deadline for the whole host, if the scenario is still
# going then: says what dom0 was doing, so that a hung run leaves its cause in the serial log
# (and in the digest at the end of `make check`). Every line starts with "watchdog| ".
# Usage: sh watchdog.sh SECONDS-LEFT
# The blocked tasks of a sysrq-w dump, short: each task's line and its first real frames.
blocked_short() {
	sed 's/^\[[ 0-9.]*\] //' | awk '
		/task:/ { n = 5; print $1 " " $2 " " $3; next }
		n > 0 && /^ *[A-Za-z_.][A-Za-z0-9_.]*\+0x/ { print "    " $1; n-- }'
}
{
	echo "dom0 scenario still running at $(cut -d' ' -f1 /proc/uptime) s, ${1:-?} s before the host's deadline"
	echo "step under way: $(cat /tmp/xpf-step 2>/dev/null || echo '(none recorded)')"
	echo "dom0 processes:"
	# Not the kernel's threads ([name]), nor this script and its pipeline.
	ps | awk 'NR > 1 && $3 !~ /^\[/' | grep -v 'watchdog\.sh\|grep -v' | cut -c1-120 | sed 's/^/  /'
	echo "domains:"
	timeout 10 xl list 2>&1 | sed 's/^/  /'
	echo "dom0 blocked tasks:"
	echo w >/proc/sysrq-trigger
	sleep 1
	dmesg | sed -n '/Show Blocked State/,$p' | blocked_short | tail -n 40 | sed 's/^/  /' | grep . || echo "  (none)"
	for d in $(timeout 10 xl list 2>/dev/null | awk 'NR > 2 { print $1 }'); do
		echo "domain $d, blocked tasks and console end:"
		timeout 10 xl sysrq "$d" w 2>/dev/null && sleep 3
		_log=/var/log/xen/console/guest-$d.log
		tr -d '\r' <"$_log" | sed -n '/Show Blocked State/,$p' | blocked_short | tail -n 30 | sed 's/^/  /'
		tr -d '\r' <"$_log" | grep -vE 'task:|^ *\?|\+0x|^ *$|</?TASK>|R[A-Z0-9]{2}: ' | tail -n 15 | cut -c1-160 | sed 's/^/  | /'
	done
	echo "Xen's last lines:"
	timeout 10 xl dmesg 2>/dev/null | tail -n 8 | sed 's/^/  /'
} 2>&1 | sed 's/^/watchdog| /'
