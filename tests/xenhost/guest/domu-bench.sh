# SPDX-License-Identifier: GPL-2.0
# The bench scenario inside the driver domain (sourced by domu-init): one frontend
# (xpf_frontend), one round (xpf_round) of `make bench`'s measurements. dom0 boots a domain per
# frontend and round, alternating, all in one boot of the emulated host. Each measurement is one
# line "XPF-SHOW bench fe=<frontend> round=<n> <name> key=value..." (tests/bench/run.sh reads
# them); nothing here judges a number.
B=/xpf/xpf-bench
OPS=${xpf_bench_ops:-2000}
# To the console: the step around bench_run keeps only its own first line.
bench_line() { sed "s/^XPF-BENCH /XPF-SHOW bench fe=$xpf_frontend round=${xpf_round:-1} /" >/dev/console; }
# The modules' own sizes (core text and data, from /proc/modules) and the slab and vmalloc use of
# bringing the NIC up, for the memory rows.
module_bytes() {
	case "$xpf_frontend" in
	ours) awk '$1 ~ /^xen_pcifront_(cxx|evtchn|msi|hotplug)$/ { s += $2 } END { print s + 0 }' /proc/modules ;;
	intree) awk '$1 == "xen_pcifront" { s += $2 } END { print s + 0 }' /proc/modules ;;
	esac
}
slab_kb() { awk '$1 == "Slab:" { print $2 }' /proc/meminfo; }
# XPF_BENCH_TRACE=1 on the host: where a kernel config read's time goes, from the function graph
# tracer around TRACE_READS pci_read_config_dword() calls (the frontend's own functions, the hypercalls
# and the upcalls under it, to depth 14): per read, each function's calls and microseconds, the
# 25 largest, as "XPF-SHOW bench-trace fe= round= calls_per_read= us_per_read= FUNCTION" lines.
# The tracer multiplies every call's cost under TCG: its numbers are for comparing the two
# frontends' shapes, not for the table.
TRACE_READS=160
trace_reads() {
	T=/sys/kernel/debug/tracing
	[ -w $T/current_tracer ] || { echo "XPF-SHOW bench-trace: no tracefs" >/dev/console; return 0; }
	echo 0 >$T/tracing_on
	echo function_graph >$T/current_tracer || return 0
	echo pci_bus_read_config_dword >$T/set_graph_function || return 0
	echo 14 >$T/max_graph_depth
	echo funcgraph-tail >$T/trace_options
	echo 4096 >$T/buffer_size_kb
	: >$T/trace
	echo 1 >$T/tracing_on
	insmod /xpf/xpf_confread.ko bdf="$BDF" ops=$TRACE_READS rounds=1
	echo 0 >$T/tracing_on
	rmmod xpf_confread
	# A duration is on a leaf's line ("name();") or a call's closing line ("} /* name */").
	awk -v reads=$TRACE_READS '
		/ us +\|/ {
			d = $0; sub(/ us +\|.*/, "", d); n = split(d, w, " "); d = w[n]
			f = $0; sub(/.*\| */, "", f)
			if (f ~ /^} \/\* /) { sub(/^} \/\* /, "", f); sub(/ \*\/.*/, "", f) }
			else if (f ~ /\(\);/) sub(/\(\);.*/, "", f)
			else next
			t[f] += d; c[f]++
		}
		END { for (f in t) printf "%.1f %.2f %s\n", t[f] / reads, c[f] / reads, f }' $T/trace |
		sort -rn | head -n 25 |
		while read -r us calls f; do
			echo "XPF-SHOW bench-trace fe=$xpf_frontend round=${xpf_round:-1} calls_per_read=$calls us_per_read=$us $f"
		done >/dev/console
	echo nop >$T/current_tracer
	: >$T/set_graph_function
}
bench_run() {
	s0=$(slab_kb)
	# From modprobe to the first device on the PV PCI bus (polled every 10 ms, for 60 s at most).
	# XPF_BENCH_SPIN on the host: our op_spin_us (an experiment; the default otherwise).
	case "$xpf_frontend" in ours) m="xen-pcifront-cxx${xpf_bench_spin:+ op_spin_us=$xpf_bench_spin}" ;; *) m=xen-pcifront ;; esac
	"$B" time load_and_enumerate sh -c "modprobe $m || exit 1
		for i in \$(seq 6000); do [ -n \"\$(ls /sys/bus/pci/devices)\" ] && exit 0; usleep 10000; done
		exit 1" | bench_line
	wait_for 60 "the e1000 on the PV PCI bus" nic_bdf >/dev/null || { echo "no e1000"; return 1; }
	BDF=$(nic_bdf)
	[ "$xpf_frontend" != ours ] || echo "XPF-SHOW bench-params op_spin_us=$(cat /sys/module/xen_pcifront_cxx/parameters/op_spin_us)" >/dev/console
	echo "XPF-BENCH memory module_bytes=$(module_bytes) slab_kb_after_enumeration=$(($(slab_kb) - s0))" | bench_line
	"$B" confread "$BDF" 200 1 >/dev/null || return 1 # warm-up
	"$B" confread "$BDF" "$OPS" 5 | bench_line
	# The same reads from the kernel (tests/bench/floor-km/xpf_confread.c): without the system
	# call each sysfs read costs (a PV guest's system calls pass through Xen).
	# With the op channel's interrupts per 1000 reads (irqs_per_kop): a reply whose event the
	# op's wait left pending costs one each.
	case "$xpf_frontend" in ours) OPIRQ=xen-pcifront-cxx ;; *) OPIRQ=pcifront ;; esac
	op_irqs() { awk -v n=$OPIRQ '$NF == n { s = 0; for (i = 2; i <= NF; i++) { if ($i !~ /^[0-9]+$/) break; s += $i }; print s; exit }' /proc/interrupts; }
	kconfread() {
		_i0=$(op_irqs)
		insmod /xpf/xpf_confread.ko bdf="$BDF" ops="$OPS" rounds=5 || { echo "insmod xpf_confread failed"; return 1; }
		_i1=$(op_irqs)
		dmesg | sed -n "s/.*xpf_confread: result \(.*\)/XPF-BENCH $1 \1 irqs_per_kop=$(((${_i1:-0} - ${_i0:-0}) * 1000 / (OPS * 5)))/p" | tail -n 1 | bench_line
		rmmod xpf_confread
	}
	kconfread confread_kernel || return 1
	[ "${xpf_bench_trace:-0}" = 0 ] || trace_reads
	# The kernel's enumeration alone: rescans of the PV bus (each probes every slot again).
	"$B" rescan 20 5 | bench_line
	for i in 1 2 3; do "$B" time lspci_vvv lspci -vvv -s "${BDF#0000:}" | bench_line; done
	# The floor: plain event-channel round trips to dom0 (its floor-echo answers each one).
	modprobe xen-evtchn || { echo "modprobe xen-evtchn failed"; return 1; }
	"$B" floor "$BENCH_FLOOR_OPS" "$BENCH_FLOOR_ROUNDS" | bench_line
	# The floor kernel to kernel: an event channel to dom0's xpf_floor_echo module, each
	# answer spun for in a kernel thread (tests/bench/floor-km/), nothing else on the path.
	insmod /xpf/xpf_floor.ko rounds=$((BENCH_FLOOR_OPS * BENCH_FLOOR_ROUNDS)) || { echo "insmod xpf_floor failed"; return 1; }
	kp=$(dmesg | sed -n 's/.*xpf_floor: port \([0-9]*\) .*/\1/p' | tail -n 1)
	echo "XPF-FLOOR-KPORT $kp" >/dev/console
	kfloor_done() { dmesg | grep -q 'xpf_floor: result'; }
	wait_for 180 "the kernel floor measured" kfloor_done >/dev/null ||
		{ echo "xpf_floor never measured: dom0's echo did not bind?"; rmmod xpf_floor; return 1; }
	dmesg | sed -n 's/.*xpf_floor: result /XPF-BENCH floor_kernel /p' | tail -n 1 | bench_line
	rmmod xpf_floor
	echo "XPF-FLOOR-KDONE" >/dev/console
	# lspci's own share: the same output formatted from a dump of the NIC's config space
	# (-F: no config op at all). lspci -vvv minus this is what the frontend costs.
	lspci -xxx -s "${BDF#0000:}" >/tmp/nic.dump || { echo "lspci -xxx failed"; return 1; }
	for i in 1 2 3; do "$B" time lspci_vvv_dump lspci -vvv -F /tmp/nic.dump | bench_line; done
	# The config reads again, last, with our config cache off (of the 16 dwords the class is
	# cacheable); the in-tree frontend, which has no cache, reads them again as they are, so
	# both frontends' rows are still measured at the same point of each domain's life (a row
	# measured later in one side's domains meets dom0 at another point of its own work).
	P=/sys/module/xen_pcifront_cxx/parameters/config_cache
	# Runs the command with our cache off, then turns it on again; the command's status.
	cache_off() {
		[ "$xpf_frontend" = ours ] || { "$@"; return; }
		echo 0 >$P || return 1
		"$@"
		_r=$?
		echo 1 >$P
		return $_r
	}
	confread_nocache() { "$B" confread "$BDF" "$OPS" 5 | sed 's/^XPF-BENCH confread /XPF-BENCH confread_nocache /' | bench_line; }
	cache_off confread_nocache
	cache_off kconfread confread_kernel_nocache || return 1
	echo "measured $xpf_frontend, round ${xpf_round:-1}"
}
# Not run again after a user-space crash (step's flake rule): a second modprobe finds the module
# loaded, and its time would pass for a load. A crash fails the step; run.sh retries the run.
XPF_NO_RERUN=1 step bench bench_run

# Hotplug and MSI-X: dom0 attaches the e1000e (timing attach to usable, and detach); while it is
# here, its driver is unbound and bound again, each cycle timed, and each bind checked for
# MSI-X (the in-tree frontend's teardown asks pciback for disable_msi, so MSI-X stays on at the
# backend and the next enable fails).
MSIX_CYCLES=${xpf_msix_cycles:-5}
. /xpf/domu-devs.sh
# Looked at twice before it counts as off: a crashed lspci or grep (the TCG flake) is not a
# device without MSI-X (one bench domain counted 5 of 6 that way).
nic2_msix_once() { lspci -vvv -s "${1#0000:}" 2>/dev/null | grep -q 'MSI-X: Enable+'; }
nic2_msix() { nic2_msix_once "$1" || nic2_msix_once "$1"; }
bench_hotplug() {
	modprobe e1000e || return 1
	echo "XPF-BENCH-HP-READY" >/dev/console
	wait_for 180 "the e1000e attached and bound" e1000e_usable >/dev/null || { echo "the e1000e never came up"; return 1; }
	echo "XPF-BENCH-HP-UP" >/dev/console
	E=$(find_dev 0x8086 0x10d3) on=0
	nic2_msix "$E" && on=1
	D=/sys/bus/pci/drivers/e1000e
	c=1
	while [ $c -le "$MSIX_CYCLES" ]; do
		"$B" time msix_cycle sh -c "echo $E >$D/unbind && echo $E >$D/bind && ls /sys/bus/pci/devices/$E/net/* >/dev/null" | bench_line
		nic2_msix "$E" && on=$((on + 1))
		c=$((c + 1))
	done
	echo "XPF-BENCH msix_kept binds=$((MSIX_CYCLES + 1)) on_msix=$on" | bench_line
	echo "XPF-BENCH-HP-DETACH" >/dev/console
	wait_for 180 "the e1000e detached" e1000e_gone >/dev/null || { echo "the e1000e is still here"; return 1; }
	echo "XPF-BENCH-HP-DOWN" >/dev/console
	# How long the driver's removal took before the frontend could answer the detach (ours
	# logs it; libxl's whole round has 10 s).
	[ "$xpf_frontend" != ours ] ||
		echo "XPF-BENCH detach_removal ms=$(klog_last 'detach: removed' | sed -n 's/.* in \([0-9]*\) ms$/\1/p')" | bench_line
	echo "e1000e attached, $MSIX_CYCLES unbind/bind cycles ($on of $((MSIX_CYCLES + 1)) binds on MSI-X), detached"
}
XPF_NO_RERUN=1 step bench-hotplug bench_hotplug # dom0 times one attach and one detach
