# SPDX-License-Identifier: GPL-2.0
# The stubdom scenario in dom0 (sourced by dom0-stubdom.sh; docs/stubdomain.md): an HVM guest whose
# device model, Debian's QEMU, runs in a PV Linux stubdomain (tests/xenhost/guest/stubdom-init)
# where the frontend under test (xpf_frontend) carries QEMU's accesses to the guest's
# passed-through e1000; the guest (tests/xenhost/guest/hvm-init) binds its own e1000 driver and
# pings dom0. libxl does the rest as it would for any user: it builds the stubdomain, waits for
# its QEMU, gives the stubdomain the device through pciback, then QEMU through QMP.
# pciback runs in passthrough mode here (the scenario's TOML): Debian 12's QEMU opens the device
# in the stubdomain at its host address.
HVM=hvm
STUB=$HVM-dm
# The devices the guest gets: every one pciback holds but 00:02.0, where QEMU's Xen passthrough
# accepts only an Intel GPU (xen_pt_realize: "Need to enable igd-passthru").
HVM_PT=$(for b in $PT_BDFS; do [ "$b" = 0000:00:02.0 ] || echo "$b"; done | tr '\n' ' ')
HVM_PT=${HVM_PT% }
hvm_log() { echo "/var/log/xen/console/guest-$HVM.log"; }
stub_log() { echo "/var/log/xen/qemu-dm-$HVM.log"; }
# Where a log stands now ("inode:size"), and what it holds past such a mark: xenconsoled appends
# the rebooted guest's console to the same file, libxl starts a new stubdomain's log in a new
# file (the old one rotated), which is then read whole.
log_mark() { echo "$(stat -c %i "$1" 2>/dev/null || echo 0):$(stat -c %s "$1" 2>/dev/null || echo 0)"; }
log_since() { # file, mark
	if [ "$(stat -c %i "$1" 2>/dev/null)" = "${2%%:*}" ]; then
		tail -c +$((${2#*:} + 1)) "$1"
	else
		cat "$1"
	fi 2>/dev/null
}

# pciback lets the device model set the device's interrupt enables (INTx disable, MSI and MSI-X
# enable); stock libxl never asks it to, and QEMU's writes of them are refused otherwise.
# pciback forgets it each time it takes a device back (pcistub_put_pci_dev), so after a
# restart it is given again for the new stubdomain.
interrupt_control() {
	for b in $HVM_PT; do
		echo "$b" >/sys/bus/pci/drivers/pciback/allow_interrupt_control ||
			{ echo "pciback refused allow_interrupt_control for $b"; return 1; }
	done
	echo "pciback allows $HVM_PT's interrupt control to the device model"
}
hvm_cfg() {
	cat >/tmp/$HVM.cfg <<CFG
name="$HVM"
type="hvm"
memory=256
vcpus=1
cpuid="host,rdtscp=0"
vnc=0
nographic=1
vga="none"
vif=[]
kernel="/xpf/vmlinuz"
ramdisk="/xpf/hvm.cpio.gz"
extra="console=hvc0 rdinit=/init xpf_peer=$DOM0_LL"
device_model_version="qemu-xen"
device_model_stubdomain_override=1
stubdomain_kernel="/xpf/vmlinuz"
stubdomain_ramdisk="/xpf/stubdom.cpio"
stubdomain_memory=384
stubdomain_cmdline="console=hvc0 rdinit=/init xpf_frontend=$frontend xpf_pt=$(echo $HVM_PT | tr ' ' '+')"
pci=[$(for b in $HVM_PT; do printf "'%s'," "$b"; done | sed 's/,$//')]
on_crash="preserve"
CFG
	grep -E '^(pci|stubdomain_cmdline)=' /tmp/$HVM.cfg | tr '\n' ' '
}
# xl create returns once libxl has the stubdomain's QEMU running and the devices added to it
# (pciback Connected to the stubdomain's frontend, QMP device_add answered).
# While xl create runs: every 4 s the domains, and the stubdomain's xenstore directory (its
# consoles, its device model's state, its PCI frontend), for a create that times out.
create_watch() {
	_seen=
	while :; do
		echo "+$(($(now_ms) - _t0)) ms:"
		# Each of dom0's QEMUs once, as libxl started it (the stubdomain's console server).
		_q=$(ps -o pid,args 2>/dev/null | grep '[q]emu-system' | cut -c1-700)
		[ "$_q" = "$_seen" ] || { _seen=$_q; echo "$_q" | sed 's/^/  qemu: /'; }
		xl list 2>&1 | sed 's/^/  /'
		_sid=$(xl domid "$STUB" 2>/dev/null) &&
			{ xenstore-ls -f "/local/domain/$_sid" 2>/dev/null | grep -E 'console/(state|port|ring-ref|output)|console/[12]/(state|output)|device-model|dm-argv' | head -n 20
				xenstore-ls -f "/local/domain/0/backend/console/$_sid" 2>/dev/null | grep -E '/state|/online|/hotplug-status'; } | sed 's/^/  /'
		sleep 4
	done
}
hvm_create() {
	_t0=$(now_ms)
	create_watch >/tmp/create-watch.txt 2>&1 &
	_watch=$!
	xl -v create /tmp/$HVM.cfg >/tmp/xl-create.log 2>&1
	_rc=$?
	kill $_watch 2>/dev/null; wait $_watch 2>/dev/null
	if [ $_rc != 0 ]; then
		echo "xl create failed after $(($(now_ms) - _t0)) ms: $(grep -iE 'error|fail|timed out|not ready' /tmp/xl-create.log | tail -n 3 | tr '\n' ' ')"
		{ grep -v 'domainbuilder:' /tmp/xl-create.log | tail -n 80 | sed 's/^/dom0-xl| /'
			tail -n 120 /tmp/create-watch.txt | sed 's/^/dom0-watch| /'
			xl dmesg 2>&1 | tail -n 40 | sed 's/^/dom0-xen| /'
			ls -l /var/log/xen /var/log/xen/console | sed 's/^/dom0-logs| /'
			dmesg | tail -n 15 | sed 's/^/dom0-dmesg| /'
			tail -n 80 "$(stub_log)" 2>/dev/null | tr -d '\r' | sed 's/^/stubdom-tail| /'
			# dom0's own QEMU for the stubdomain's consoles (libxl: qemu-dm-<guest>-dm.log).
			# QEMU's trace of the stubdomain's consoles (the Debian 13 host's wrapper turns it on).
			grep -a -E 'xen_console|realize|rror' /var/log/xen/qemu-dm-*-dm.log 2>/dev/null | head -n 40 |
				sed 's/^/dom0-qemu-trace| /'
			for f in /var/log/xen/qemu-dm-*.log /var/log/xen/xl-*.log; do
				[ -e "$f" ] && tail -n 60 "$f" | tr -d '\r' | sed "s#^#dom0-file ${f##*/}: #"
			done; } >/dev/console
		return 1
	fi
	echo "guest $HVM is domain $(xl domid $HVM), its stubdomain $STUB domain $(xl domid $STUB); xl create took $(($(now_ms) - _t0)) ms"
}
stub_connected() {
	_s=$(xl domid $STUB) || { echo "no stubdomain"; return 1; }
	_be=$(xenstore-read "/local/domain/0/backend/pci/$_s/0/state" 2>/dev/null)
	_fe=$(xenstore-read "/local/domain/$_s/device/pci/0/state" 2>/dev/null)
	[ "$_be" = 4 ] && [ "$_fe" = 4 ] || { echo "pci backend state '$_be', frontend '$_fe' (want 4 and 4)"; return 1; }
	echo "the stubdomain's PCI frontend and pciback are Connected"
}
# Why a guest can no longer say a line dom0 waits for: it crashed or went away.
hvm_cannot_say() { # polls
	[ $(($1 % 10)) = 9 ] || return 1
	for _d in $HVM $STUB; do
		case "$(xl list $_d 2>/dev/null | awk 'NR == 2 { print $5 }')" in
		*c* | "") echo "domain $_d crashed or went away"; return 0 ;;
		esac
	done
	return 1
}
# The logs of the round that runs now: round 1 reads them whole, round 2 past the marks taken
# before the reboot (/tmp/hvm.mark, /tmp/stub.mark).
round_log() { # log file, mark file
	if [ -s "$2" ]; then log_since "$1" "$(cat "$2")"; else cat "$1" 2>/dev/null; fi | tr -d '\r'
}
round_says() { round_log "$1" "$2" | grep -qx "$3"; }
hvm_finished() {
	WAIT_GIVE_UP=hvm_cannot_say wait_for 480 "the HVM guest's steps" round_says "$(hvm_log)" /tmp/hvm.mark XPF-HVM-END
}
stub_report() {
	_s=$(xl domid $STUB) || { echo "no stubdomain"; return 1; }
	xenstore-write "/local/domain/$_s/xpf-report" 1 || return 1
	WAIT_GIVE_UP=hvm_cannot_say wait_for 120 "the stubdomain's report" round_says "$(stub_log)" /tmp/stub.mark XPF-STUBDOM-END
}
# The guest reboots: xl's watcher (libxl) destroys it and its stubdomain and creates both anew,
# the devices given to the new stubdomain as at creation. libxl 4.17 to 4.20 rebuild the
# restarted guest's config from xenstore, where a stubdomain guest's PCI devices live under the
# stubdomain's backend, not the guest's, and drop them all (docs/stubdomain.md); xl
# config-update, as a user would, makes the restart read the config file instead.
new_domains() { # old guest, old stubdomain
	_ng=$(xl domid $HVM 2>/dev/null) && _ns=$(xl domid $STUB 2>/dev/null) && [ "$_ng" != "$1" ] && [ "$_ns" != "$2" ]
}
hvm_reboot() {
	_g=$(xl domid $HVM) && _s=$(xl domid $STUB) || { echo "guest or stubdomain missing"; return 1; }
	xl config-update $HVM /tmp/$HVM.cfg >/tmp/xl-cu.log 2>&1 || { echo "xl config-update failed: $(tail -n 2 /tmp/xl-cu.log | tr '\n' ' ')"; return 1; }
	log_mark "$(hvm_log)" >/tmp/hvm.mark
	log_mark "$(stub_log)" >/tmp/stub.mark
	xl reboot $HVM >/tmp/xl-reboot.log 2>&1 || { echo "xl reboot $HVM failed: $(tail -n 2 /tmp/xl-reboot.log | tr '\n' ' ')"; return 1; }
	if ! wait_for 240 "guest and stubdomain as new domains" new_domains "$_g" "$_s" >/dev/null; then
		echo "no new domains: $(xl list | awk 'NR > 1 { printf "%s(%s) ", $1, $2 }')"
		tail -n 20 /var/log/xen/xl-$HVM.log 2>/dev/null | sed 's/^/XPF-SHOW xl-hvm.log: /' >/dev/console
		return 1
	fi
	# The old stubdomain's devices went back to pciback, which cleared their interrupt control:
	# given again now, before the rebooted guest's drivers enable MSI-X (tens of seconds).
	_ic=$(interrupt_control) || { echo "$_ic"; return 1; }
	echo "guest $_g -> $(xl domid $HVM), stubdomain $_s -> $(xl domid $STUB) (libxl's restart); $_ic again"
}
# The new stubdomain's PCI connection up; interrupt control given once more in case pciback
# took the old stubdomain's devices back only after the restart's first write.
stub_reconnected() {
	wait_for 120 "the new stubdomain's PCI frontend and pciback Connected" stub_connected >/dev/null ||
		{ echo "the new stubdomain's PCI frontend and pciback not Connected in 120 s"; return 1; }
	_ic=$(interrupt_control) || { echo "$_ic"; return 1; }
	echo "the new stubdomain's PCI frontend and pciback are Connected; $_ic"
}
# The stubdomain dies under its running guest (killed, or crashed): libxl tears its devices
# down, pciback's directory for it goes and pciback holds the devices again.
stub_dies() {
	_s=$(xl domid $STUB) || { echo "no stubdomain"; return 1; }
	# libxl's teardown logs an error unmapping the MSI-X pirqs QEMU mapped (EINVAL): shown below.
	xl destroy "$_s" >/tmp/xl-destroy.log 2>&1 || { echo "xl destroy $_s failed: $(tail -n 2 /tmp/xl-destroy.log | tr '\n' ' ')"; return 1; }
	wait_for 60 "the stubdomain gone" sh -c "! xl domid $STUB" >/dev/null || { echo "stubdomain $_s still there"; return 1; }
	wait_for 60 "pciback's directory for it gone" sh -c "! xenstore-exists /local/domain/0/backend/pci/$_s" >/dev/null ||
		{ echo "backend/pci/$_s still there"; return 1; }
	_held=$(pt_held_by_pciback) || { echo "$_held"; return 1; }
	# What the guest does without its device model is Xen's and libxl's affair: shown, not judged.
	echo "stubdomain $_s destroyed under its guest, backend/pci/$_s gone, $_held; the guest: $(xl list $HVM 2>/dev/null | awk 'NR == 2 { print "domain " $2 ", state " $5 }')"
	[ ! -s /tmp/xl-destroy.log ] || sed 's/^/XPF-SHOW xl destroy: /' /tmp/xl-destroy.log | head -n 5 >/dev/console
}
# Destroying the guest takes its stubdomain (if any is left) with it; pciback gets the devices
# back.
hvm_destroy() {
	if xl domid $HVM >/dev/null 2>&1; then
		xl destroy $HVM || return 1
	fi
	wait_for 60 "guest and stubdomain gone" sh -c "! xl domid $HVM && ! xl domid $STUB" >/dev/null ||
		{ echo "still there: $(xl list | awk 'NR > 1 { print $1 }' | tr '\n' ' ')"; return 1; }
	pt_held_by_pciback
}

step dom0-interrupt-control interrupt_control
step hvm-config hvm_cfg
round1=
if step dom0-hvm-create hvm_create; then
	step dom0-stubdom-pci-connected stub_connected
	step hvm-finished hvm_finished &&
		step stubdom-reported stub_report && round1=done
fi
relay_domu hvm "$(hvm_log)"
relay_domu stubdom "$(stub_log)"
# Round 2: the guest reboots, with a new stubdomain (our frontend loaded anew there) and the
# same devices; both say their steps again.
# Only in the stubreboot scenario, and after a whole first round: a guest still in its steps (or
# gone) would only time out here.
rm -f /tmp/hvm.mark /tmp/stub.mark
[ "$scenario" = stubreboot ] || round1=
if [ -n "$round1" ] && XPF_NO_RERUN=1 step dom0-hvm-rebooted hvm_reboot; then
	step dom0-stubdom-pci-reconnected stub_reconnected
	step hvm-rebooted-finished hvm_finished
	step stubdom-rebooted-reported stub_report
	round_log "$(hvm_log)" /tmp/hvm.mark >/tmp/hvm-2.log
	round_log "$(stub_log)" /tmp/stub.mark >/tmp/stub-2.log
	relay_domu hvm-rebooted /tmp/hvm-2.log
	relay_domu stubdom-rebooted /tmp/stub-2.log
fi
# Round 3 (stubreboot): the stubdomain dies under its guest; then the guest is destroyed.
[ "$scenario" != stubreboot ] || XPF_NO_RERUN=1 step dom0-stubdom-destroyed stub_dies
step dom0-hvm-destroyed hvm_destroy
