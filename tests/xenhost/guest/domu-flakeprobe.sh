# SPDX-License-Identifier: GPL-2.0
# The flakeprobe scenario in the driver domain (scenarios/flakeprobe.toml; sourced by domu-init).
# 1500 short-lived pipelines shared out over the vCPUs, each vCPU's loop pinned to it:
# counts crashes of user space in this emulated domain.
n=$(nproc)
per=$((1500 / n))
c=0
while [ $c -lt "$n" ]; do
	taskset -c $c sh -c 'bad=0; for i in $(seq $1); do
		r=$(echo "abc $i" | grep abc | tr a-z A-Z | head -n 1) 2>/dev/null
		case "$r" in "ABC $i") ;; *) bad=$((bad + 1)) ;; esac
	done; echo $bad >/tmp/flake.$0' $c $per &
	c=$((c + 1))
done
wait
bad=$(cat /tmp/flake.* | awk '{ s += $1 } END { print s + 0 }')
crashes=$(dmesg | grep -cE "segfault at|traps: ") || true
ktap_result ok flakeprobe "$bad of $((n * per)) pipelines failed on $n vCPU(s); $crashes crash(es) in dmesg"
dmesg | grep -E "traps|segfault|protection" | head -n 5 | sed 's/^/XPF-SHOW /'
