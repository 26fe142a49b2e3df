#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boots the emulated Xen host (Debian's Xen under QEMU TCG, dom0 with the real toolstack) and runs
# one scenario in dom0 and in a PV driver domain with a passed-through e1000 (the msi scenario
# passes an NVMe controller and an e1000e through as well).
#   run.sh [--scenario NAME] [--frontend intree|ours] [--topology iommu|noiommu] [--kver KVER]
#          [--pciback vpci|passthrough] [--host bookworm|trixie]
# --host is the host's generation: Debian 12's (Xen 4.17, the default) or Debian 13's (Xen 4.20,
# dom0 on Debian 13's 6.12; the driver domain's kernel then defaults to that one too).
# --pciback is xen-pciback's mode in dom0: vpci (its default) gives the driver domain one virtual
# bus; passthrough exports each device at its real address, a root bus per host bus.
# Streams the steps as they happen, ends with PASS/FAIL per step, keeps the serial log.
source "$(dirname "$0")/../lib/common.sh"
scenario=baseline frontend=intree topo=iommu kver= pciback=vpci host=${XPF_HOST:-bookworm} cycles= timeout_s=${XPF_TIMEOUT:-420}
while [ $# -gt 0 ]; do
	case "$1" in
	--scenario) scenario=$2; shift 2 ;;
	--frontend) frontend=$2; shift 2 ;;
	--topology) topo=$2; shift 2 ;;
	--kver) kver=$2; shift 2 ;;
	--pciback) pciback=$2; shift 2 ;;
	--host) host=$2; shift 2 ;;
	*) die "unknown argument '$1' (see the header of $0)" ;;
	esac
done
case "$frontend" in intree | ours) ;; *) die "--frontend must be intree or ours" ;; esac
case "$topo" in iommu | noiommu) ;; *) die "--topology must be iommu or noiommu" ;; esac
case "$pciback" in vpci | passthrough) ;; *) die "--pciback must be vpci or passthrough" ;; esac
case "$host" in
bookworm) xenv=4.17 img_dir=$BUILD/xenhost kver=${kver:-$("$TOP/scripts/kver.sh" 6.1)} ;;
trixie) xenv=4.20 img_dir=$BUILD/xenhost/host-trixie kver=${kver:-$("$TOP/scripts/suite.sh" kver trixie)} ;;
*) die "--host must be bookworm or trixie" ;;
esac
export XPF_HOST=$host
qemu=$(qemu_bin)

if [ "$scenario" = bench ]; then
	timeout_s=${XPF_TIMEOUT:-$((600 + ${XPF_BENCH_ROUNDS:-3} * 500))} # a driver domain per frontend and round
fi
if [ "$scenario" = install ]; then
	# Our modules package for this kernel (scripts/deb.sh): images.sh installs it with dpkg.
	deb=$("$TOP/scripts/deb.sh" "$kver" | tail -n 1) || die "building the package failed"
	export XPF_PKG_DEB=$TOP/${deb#deb: }
	timeout_s=${XPF_TIMEOUT:-600} # two boots of the driver domain
fi
"$TOP/tests/xenhost/images.sh" "$kver"
img=$img_dir/$kver
name=$scenario-$frontend-$topo${XPF_RUN_SUFFIX:+-$XPF_RUN_SUFFIX}
[ "$pciback" = vpci ] || name+=-$pciback
label=$scenario/$frontend/$topo${XPF_RUN_SUFFIX:+/$XPF_RUN_SUFFIX}
[ "$pciback" = vpci ] || label+=/$pciback
[ "$kver" = "$("$TOP/scripts/kver.sh" 6.1)" ] || { name+=-$kver; label+=" on $kver"; }
[ "$host" = bookworm ] || { name+=-host-$host; label+=" (Debian 13 host, Xen $xenv)"; }
run=$BUILD/xenhost/runs/$name
rm -rf "$run"
mkdir -p "$run" "$BUILD/xenhost/why"
rm -f "$BUILD/xenhost/why/$name.txt"
log=$run/serial.log

xen_args="console=com1 com1=115200,8n1 loglvl=all guest_loglvl=all dom0_mem=1024M,max:1024M${XPF_XEN_EXTRA:+ $XPF_XEN_EXTRA}"
machine=(-M q35)
if [ "$topo" = iommu ]; then
	xen_args+=" iommu=1"
	machine+=(-device intel-iommu,intremap=on)
else
	xen_args+=" iommu=0"
fi
extra_devs=()
if [ "$scenario" = msi ] || [ "$scenario" = msiprobe ] || [ "$scenario" = smp ]; then
	# MSI-X devices: an NVMe controller on a scratch disk, an e1000e on the same hub; and an
	# AHCI controller with a disk, which Linux runs on single-vector MSI.
	truncate -s 64M "$run/nvme.img"
	extra_devs=(-drive "file=$run/nvme.img,if=none,id=nv0,format=raw"
		-device nvme,serial=xpf0001,drive=nv0,addr=04.0
		-netdev hubport,id=pt1,hubid=0 -device e1000e,netdev=pt1,addr=05.0,romfile=,mac=52:54:00:12:34:05
		-drive "file=$run/sata.img,if=none,id=sata0,format=raw"
		-device ich9-ahci,id=ahci1,addr=06.0 -device ide-hd,drive=sata0,bus=ahci1.0)
	truncate -s 64M "$run/sata.img"
	timeout_s=${XPF_TIMEOUT:-900}
fi
if [ "$scenario" = bench ]; then
	# The e1000e each bench domain gets by hotplug (MSI-X cycles, attach and detach times).
	extra_devs=(-netdev hubport,id=pt1,hubid=0 -device e1000e,netdev=pt1,addr=05.0,romfile=,mac=52:54:00:12:34:05)
fi
if [ "$scenario" = rogue ]; then
	# 12 rounds against xpf-rogue, each bounded (tests/xenhost/guest/domu-rogue.sh).
	timeout_s=${XPF_TIMEOUT:-1500}
fi
if [ "$scenario" = hotplug ]; then
	# xl pci-attach / pci-detach cycles of the e1000 on a running driver domain.
	cycles=${XPF_HOTPLUG_CYCLES:-20}
	timeout_s=${XPF_TIMEOUT:-$((700 + cycles * 25))}
	# The NVMe controller that stays attached while the e1000 comes and goes (phase 2), behind
	# a PCIe root port: on bus 1, so that with pciback in passthrough mode the e1000's bus 0
	# is a new root bus for the driver domain when it is attached next to the NVMe.
	truncate -s 64M "$run/nvme.img"
	extra_devs=(-drive "file=$run/nvme.img,if=none,id=nv0,format=raw"
		-device pcie-root-port,id=rp4,chassis=4,addr=04.0
		-device nvme,serial=xpf0001,drive=nv0,bus=rp4)
fi
dom0_args="console=hvc0 earlyprintk=xen rdinit=/init"
dom0_args+=" xpf_scenario=$scenario xpf_frontend=$frontend xpf_topo=$topo xpf_pciback=$pciback${cycles:+ xpf_cycles=$cycles}"
dom0_args+=" xpf_deadline=$timeout_s" # dom0's watchdog speaks up shortly before it
# The rogue scenario's rounds, when not all of them (comma-separated: XPF_ROGUE_LIST=silent,late).
# Commas separate QEMU's multiboot modules: the list travels with '+' instead.
[ -z "${XPF_ROGUE_LIST:-}" ] || dom0_args+=" xpf_rogue_list=${XPF_ROGUE_LIST//,/+}"
# How long dom0 waits for the driver domain to finish checking a round (default 240 s): the
# in-tree frontend's silent, late and vanish rounds keep it spinning for longer (make compare).
[ -z "${XPF_ROGUE_WAIT:-}" ] || dom0_args+=" xpf_rogue_wait=$XPF_ROGUE_WAIT"
[ -z "${XPF_BENCH_ROUNDS:-}" ] || dom0_args+=" xpf_bench_rounds=$XPF_BENCH_ROUNDS"
# e820_host=1 in a hotplug domain's config (XPF_E820_HOST=1): what a 6.5+ kernel needs to set up
# xen-swiotlb at boot for a domain started without a device.
[ -z "${XPF_E820_HOST:-}" ] || dom0_args+=" xpf_e820_host=1"
[ -z "${XPF_FLAKE_VCPUS:-}" ] || dom0_args+=" xpf_flake_vcpus=$XPF_FLAKE_VCPUS"

say "xenhost: scenario '$scenario', frontend '$frontend', topology '$topo', pciback $pciback, kernel $kver, Xen $xenv ($host host)"
say "xenhost: serial log $log (bounded to $timeout_s s)"
# The serial line and QEMU's monitor go through pipes, so that a hung host can still be asked
# where it is (hang_dump): Xen's debug keys on the serial line, the vCPUs' registers from QEMU.
mkfifo "$run/ser.in" "$run/ser.out" "$run/mon.in" "$run/mon.out"
cat "$run/ser.out" >"$log" &
serpid=$!
cat "$run/mon.out" >"$run/monitor.txt" &
monpid=$!
start=$SECONDS
# -cpu qemu64,+svm, not max: with max, user space in PV domains crashes under TCG (a process
# running with another's TLS; 687 of 1500 pipelines on 4 vCPUs), with qemu64,+svm none did
# (docs/testing.md, "Known infrastructure flake"). Without svm Xen did not finish; max needs -smap (with
# SMAP, TCG kills a PV dom0 at once: create_bounce_frame #PF).
"$qemu" -accel ${XPF_ACCEL:-tcg} -cpu ${XPF_CPU:-qemu64,+svm} -smp ${XPF_SMP:-2} -m 3072 \
	"${machine[@]}" -display none -no-reboot -monitor "pipe:$run/mon" \
	-chardev "pipe,id=ser0,path=$run/ser" -serial chardev:ser0 -nic none \
	-netdev hubport,id=pt0,hubid=0 -device e1000,netdev=pt0,addr=02.0,romfile=,mac=52:54:00:12:34:02 \
	-netdev hubport,id=d0,hubid=0 -device e1000,netdev=d0,addr=03.0,romfile=,mac=52:54:00:12:34:03 \
	"${extra_devs[@]}" \
	-kernel "$BUILD/xenhost/xen-$xenv.elf" -append "$xen_args" \
	-initrd "$img/vmlinuz $dom0_args,$img/dom0.cpio.gz" >"$run/qemu.log" 2>&1 </dev/null &
qpid=$!
trap 'kill $qpid $serpid $monpid 2>/dev/null || true' EXIT
# Writes to a pipe QEMU reads; bounded, as the write would block if QEMU were gone.
to_pipe() { timeout 5 bash -c 'printf "$1" >"$2"' _ "$2" "$1" || true; }
# A hung host, before it is stopped: Xen's own view (three Ctrl-A give the serial line to Xen;
# d: each CPU's registers and stack, q: domains and vCPUs, i: interrupt bindings, M: MSI
# state) and QEMU's (every vCPU's registers: an RIP at 0xffff82d0... is in Xen, 0xffffffff...
# in a guest kernel). The registers land in monitor.txt and then in the serial log.
hang_dump() {
	if [ $silent = 1 ]; then
		echo "xenhost: nothing on the serial line for $silence_s s: asking Xen and QEMU where the vCPUs are"
	else
		echo "xenhost: the host passed its deadline: asking Xen and QEMU where its vCPUs are"
	fi
	to_pipe "$run/ser.in" '\001\001\001'
	sleep 1
	for key in d q i M; do
		to_pipe "$run/ser.in" "$key"
		sleep 4
	done
	to_pipe "$run/mon.in" 'info registers -a\n'
	sleep 2
}
# Stream the step lines while the host runs. Xen's S5 entry does not stop QEMU's q35 under
# TCG, so once dom0 has said its last line QEMU is stopped here; a run that passes the
# deadline is a hung host.
# A host with nothing at all on its serial line for $silence_s s has stopped: dom0 says
# XPF-ALIVE every 60 s (dom0-init).
silence_s=${XPF_SILENCE:-180}
seen=0 hung=0 hung_at= hung_t= silent=0 ended= last_out=$SECONDS doomed=
# dom0's toolstack daemons (xenstored, xenconsoled) crashed: nothing after can work, and waiting
# for the deadline only costs time. Stopped at once; the crash line makes it a flake verdict.
doomed_re='(xenstored|xenconsoled)\[[0-9]+\]: segfault at|(xenstored|xenconsoled)\[[0-9]+\] general protection'

while kill -0 $qpid 2>/dev/null; do
	sleep 1
	n=$(wc -l <"$log" 2>/dev/null || echo 0)
	if [ "$n" -gt "$seen" ]; then
		last_out=$SECONDS
		sed -n "$((seen + 1)),${n}p" "$log" | tr -d '\r' | grep -E '^XPF-(STEP|BOOT|END)' | sed 's/^/  | /' || true
		seen=$n
	fi
	if [ -z "$ended" ] && grep -q '^XPF-END dom0' "$log" 2>/dev/null; then ended=$SECONDS; fi
	if [ -n "$ended" ] && { grep -q 'Entering ACPI S5' "$log" || [ $((SECONDS - ended)) -ge 15 ]; }; then
		kill $qpid 2>/dev/null || true
	fi
	if [ -z "$ended" ] && [ $((SECONDS - last_out)) -ge "$silence_s" ]; then
		silent=1
	fi
	if [ -z "$doomed" ] && grep -qE "$doomed_re" "$log" 2>/dev/null; then
		doomed=$SECONDS
		echo "xenhost: a toolstack daemon of dom0 crashed: stopping the host now"
		kill $qpid 2>/dev/null || true
	fi
	if [ -n "$doomed" ] && [ $((SECONDS - doomed)) -ge 30 ]; then kill -9 $qpid 2>/dev/null || true; fi
	if [ $hung = 0 ] && { [ $silent = 1 ] || [ $((SECONDS - start)) -ge "$timeout_s" ]; }; then
		hung=1 hung_t=$SECONDS
		hung_at=$(wc -l <"$log")
		hang_dump
		kill $qpid 2>/dev/null || true
	fi
	# A QEMU that does not end on SIGTERM.
	if [ $hung = 1 ] && [ $((SECONDS - hung_t)) -ge 30 ]; then kill -9 $qpid 2>/dev/null || true; fi
done
wait $qpid 2>/dev/null || true
# Both readers end at QEMU's exit (end of file on their pipe); one still waiting to open its
# pipe means QEMU never opened it.
for _ in 1 2 3 4 5; do
	kill -0 $serpid 2>/dev/null || kill -0 $monpid 2>/dev/null || break
	sleep 1
done
kill $serpid $monpid 2>/dev/null || true
wait $serpid $monpid 2>/dev/null || true
trap - EXIT
elapsed=$((SECONDS - start))
if [ $hung -eq 1 ]; then
	{
		echo "qemu| vCPU registers at the deadline (info registers -a):"
		grep -E '^(CPU#|RIP=|CS =|CR0=)' "$run/monitor.txt" | sed 's/^/qemu| /'
	} >>"$log"
fi

tr -d '\r' <"$log" >"$run/serial.txt"
grep -E '^XPF-STEP' "$run/serial.txt" >"$run/steps.txt" || true
pass=$(grep -c '^XPF-STEP PASS' "$run/steps.txt" || true)
fail=$(grep -c '^XPF-STEP FAIL' "$run/steps.txt" || true)
verdict=PASS why=
# A user-space crash (the kernel's "segfault at" / "traps: prog[pid] general protection", or a
# shell's report); a kernel GPF looks different ("general protection fault, probably ...").
# A shell that cannot find a helper it ran a moment before ("line 54: xenstore-chmod: not
# found", "eco: not found") is the same flake: busybox's own memory went bad.
user_crash='segfault at|Segmentation fault|traps: [^ ]+ general protection|malloc\(\): |Aborted|xpf-rogue killed by signal|line [0-9]+: [^ ]+: not found'
# Not the watchdog's lines: they come from a host about to be killed as hung, and a hang must
# not pass for a flake because the watchdog's own xl crashed.
crash=$(grep -v '^watchdog| ' "$run/serial.txt" | grep -m1 -E "$user_crash" || true)
crashes=$(grep -v '^watchdog| ' "$run/serial.txt" | grep -cE "$user_crash" || true)
# A run that went wrong while user space was crashing is an infrastructure failure (the TCG
# flake), not a driver verdict. Steps a crash broke were already re-run once by step().
infra=${crash:+INFRASTRUCTURE: a user-space program crashed inside the emulated host (TCG flake?), not a driver verdict: $crash}
# Unless a kernel reported a bug: then user space died of it, and the run is the driver's.
kbug=$(kernel_report "$run/serial.txt")
[ -z "$kbug" ] || infra="a kernel report, with $crashes user-space crash line(s): $kbug"
if [ $silent -eq 1 ]; then
	# A PV driver domain has no way to stop dom0 (nor Xen, short of a Xen bug): this is the
	# emulation or Xen under it. What the vCPUs were doing is in the log and in the digest.
	verdict=FAIL why="INFRASTRUCTURE: the whole host went silent for $silence_s s at $((last_out - start)) s (not even dom0's heartbeat): Xen, dom0's kernel or QEMU stopped, not a driver verdict; see the end of $log"
elif [ $hung -eq 1 ]; then
	verdict=FAIL why=${infra:-"the host did not finish within $timeout_s s (hung guest): see the end of $log"}
elif ! grep -q '^XPF-END dom0' "$run/serial.txt"; then
	verdict=FAIL why=${infra:-"dom0 never reached the end of its scenario (Xen or dom0 crash?): see $log"}
elif [ "$fail" -gt 0 ]; then
	verdict=FAIL why=${infra:-"$fail step(s) failed"}
else
	# The step that proves the scenario did its job.
	case "$scenario" in
	modload) must=domU:ours-refused-while-intree-loaded ;;
	flakeprobe) must=domU:flakeprobe ;;
	msi) must=domU:msi-idle-at-end ;;
	msiprobe) must=dom0-e1000e-msi-selftest ;;
	hotplug) must=dom0-hotplug-reconf-cycles ;;
	rogue) must=dom0-rogue-rounds ;;
	dmarefuse) must=domU:dma-refused ;;
	surprise) must=domU:surprise-seen-gone ;;
	vanish) must=dom0-frontend-dir-untouched ;;
	smp) must=domU:smp-load ;;
	bench) must=domU-ours-1:bench ;;
	install) must=domU-removed:ping6-dom0 ;;
	*) must=domU:ping6-dom0 ;;
	esac
	# A crash before the proving step (dom0's script died after the rounds, say) is the flake
	# too: retried, not blamed on the driver.
	grep -q "^XPF-STEP PASS $must" "$run/steps.txt" || { verdict=FAIL why=${infra:-"step $must never passed"}; }
fi
[ "$crashes" -gt 0 ] && echo "xenhost: $crashes user-space crash line(s) in this run (TCG flake); $(grep -c '^XPF-FLAKE\|XPF-FLAKE' "$run/serial.txt" || true) step(s) re-run after one"

echo "xenhost: steps ($scenario, $frontend, $topo, pciback $pciback):"
sed 's/^XPF-STEP /  /' "$run/steps.txt"
sed -n '/^XPF-DOMU-LOG-BEGIN/,/^XPF-DOMU-LOG-END/p' "$run/serial.txt" | grep -E 'XPF-SHOW' |
	sed 's/^.*XPF-SHOW/  domU|/' >"$run/domu-show.txt" || true
sed -n '/^XPF-DOMU-LOG-BEGIN/,/^XPF-DOMU-LOG-END/p' "$run/serial.txt" | grep -E 'XPF-LSPCI' |
	sed 's/^.*XPF-LSPCI //' >"$run/lspci-vvv.txt" || true
echo "xenhost: $pass passed, $fail failed in $elapsed s"
echo "xenhost: $verdict $label${why:+: $why}"
retried=${XPF_RETRIED:-0}
if [ $verdict = FAIL ] && [[ "$why" == INFRASTRUCTURE* ]] && [ "$retried" -lt "${XPF_RETRIES:-3}" ]; then
	# User space in a PV domain under TCG crashes now and then (README, "Known infrastructure
	# flake"); such a run says nothing about the driver: run it again, and say so.
	keep=$name.infra-flake-$((retried + 1)).log
	cp "$log" "$run/../$keep"
	# Counted for check.sh's summary: a retry that was needed is said, not hidden.
	mkdir -p "$BUILD/xenhost/retries"
	echo "$label: $why" | cut -c1-200 >>"$BUILD/xenhost/retries/$name.txt"
	echo "xenhost: infrastructure failure, retry $((retried + 1)) of ${XPF_RETRIES:-3} (log kept as $keep)"
	XPF_RETRIED=$((retried + 1)) exec "$0" --scenario "$scenario" --frontend "$frontend" --topology "$topo" --kver "$kver" --pciback "$pciback" --host "$host"
fi
if [ $verdict = FAIL ]; then
	# The failure in a few lines, for the end of `make check` (CI shows only its last lines):
	# the verdict, the failed steps, and the end of what the driver domain said (dom0 prints
	# its tail, with its blocked tasks, when a handshake timed out) or else of the serial log.
	{
		echo "$label: $why$([ "$retried" = 0 ] || echo " (try $((retried + 1)), after $retried infrastructure failure(s))")"
		sed -n 's/^XPF-STEP FAIL /  FAIL /p' "$run/steps.txt" | cut -c1-400
		# A debug kernel's report, whole (lib.sh report_text).
		grep -E '^XPF-REPORT ' "$run/serial.txt" | head -n 70 | cut -c1-200 | sed 's/^XPF-REPORT /  report| /'
		if grep -q '^watchdog| ' "$run/serial.txt"; then
			sed -n 's/^watchdog| /  /p' "$run/serial.txt" | head -n 50 | cut -c1-160
		elif grep -q '^domU-tail| ' "$run/serial.txt"; then
			sed -n 's/^domU-tail| \(\[[ 0-9.]*\] \)\{0,1\}//p' "$run/serial.txt" | grep -v '^ *$' | tail -n 25 | cut -c1-160 | sed 's/^/  domU| /'
		else
			head -n "${hung_at:-1000000000}" "$run/serial.txt" | grep -v -e '^ *$' -e 'Already setup the GSI' -e '^XPF-ALIVE' | tail -n 12 | cut -c1-160 | sed 's/^/  serial| /'
		fi
		# What QEMU itself said (an error it exited with, a warning), and how much the serial
		# line carried: a why with nothing else in it still says where to look.
		sed -e '/^ *$/d' -e '/hub 0 is not connected/d' "$run/qemu.log" 2>/dev/null | tail -n 5 | cut -c1-160 | sed 's/^/  qemu| /'
		echo "  serial log: $(wc -l <"$run/serial.txt") lines, $(wc -c <"$run/serial.txt") bytes; last output at $((last_out - start)) s of $elapsed s"
		if [ $hung -eq 1 ]; then
			echo "  where the vCPUs were (Xen's 'd' key, then QEMU):"
			tail -n "+$((hung_at + 1))" "$run/serial.txt" | grep -E '\(XEN\) (\*\*\*.*CPU|RIP:)|^qemu\| (CPU#|RIP=)' | cut -c1-140 | sed 's/^/  /'
		fi
	} >"$BUILD/xenhost/why/$name.txt"
	echo "xenhost: look at $run/serial.txt (Xen + dom0 console, the driver domain's lines relayed)" >&2
	grep -E 'panic|Panic|FATAL|\(XEN\) .*(error|Error)' "$run/serial.txt" | head -n 10 >&2 || true
	exit 1
fi
