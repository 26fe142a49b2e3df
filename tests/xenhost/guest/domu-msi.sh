# SPDX-License-Identifier: GPL-2.0
# The msi scenario inside the driver domain (sourced by domu-init once the e1000 pings): an NVMe
# controller and an e1000e on MSI-X through the frontend, five reloads of each driver, the
# e1000e forced to MSI, an AHCI controller on single-vector MSI, and the MSI bookkeeping back
# to idle.
#
# Every observation is printed as "XPF-SHOW FACT <name>: yes|no <detail>" for the side-by-side
# table (tests/xenhost/check.sh). What it must be depends on the run: with our frontend and an
# IOMMU, MSI-X is expected and a "no" fails the step; with our frontend and no IOMMU, pciback
# cannot enable MSI and the expectation is a clean INTx fallback; the in-tree frontend's facts
# are only recorded (it is the comparison, not the subject).
BINDINGS=/sys/kernel/debug/xen-pcifront-cxx/bindings

# expect: "msix" (ours, IOMMU), "intx" (ours, no IOMMU), "" (in-tree: record only)
expect=
if [ "$xpf_frontend" = ours ]; then
	if [ "$xpf_topo" = iommu ]; then expect=msix; else expect=intx; fi
fi

# fact NAME WANT command...: runs the command; prints the FACT line; when this run has an
# expectation and WANT names it (msix|intx|any), reports a step that passes if it held
# (WANT "record": never a step).
fact() {
	_n=$1 _want=$2
	shift 2
	_crash0=$(user_crashes)
	if _o=$("$@" 2>&1); then _r=yes; else _r=no; fi
	if [ $_r = no ] && [ "$(user_crashes)" != "$_crash0" ]; then
		echo "XPF-FLAKE $_n: a user-space program crashed during this check; checking again"
		if _o=$("$@" 2>&1); then _r=yes; fi
	fi
	_d=$(echo "$_o" | tail -n 1 | cut -c1-160)
	echo "XPF-SHOW FACT $_n: $_r $_d"
	if [ -n "$expect" ] && { [ "$_want" = any ] || [ "$_want" = "$expect" ]; }; then
		ktap_result "$([ $_r = yes ] && echo ok || echo fail)" "$_n" "$_d"
	fi
	[ $_r = yes ]
}

. /xpf/domu-devs.sh

# ---- AHCI (single-vector MSI: the ahci driver asks for one vector when multi-MSI is refused)
AHCI=$(find_dev 0x8086 0x2922)
ahci_load() {
	[ -n "$AHCI" ] || { echo "no AHCI controller on the PV PCI bus"; return 1; }
	modprobe ahci && modprobe sd_mod || return 1
	wait_for 60 "/dev/sda" test -b /dev/sda || { dmesg | grep -iE 'ahci|ata' | tail -n 3; return 1; }
	echo "$AHCI: sda ready"
}
ahci_irqs() { echo "$(irq_lines ahci) line(s): $(irq_counts ahci)"; irq_counts ahci | grep -q ':[1-9]'; }
ahci_unload() { rmmod ahci && rmmod libahci && echo "ahci unloaded"; }

# ---- the scenario
step nvme-load nvme_load || return 0
fact nvme-msix msix msix_on "$NVME"
fact nvme-intx-fallback intx none_on "$NVME"
fact nvme-io-queues msix nvme_io_queues
echo "XPF-SHOW nvme interrupts: $(irq_counts 'nvme0q')"
step nvme-data-0 nvme_data 0
fact e1000e-load any e1000e_load
fact e1000e-msix msix msix_on "$E1000E"
fact e1000e-intx-fallback intx none_on "$E1000E"
fact e1000e-irqs-firing any e1000e_irqs
for i in 1 2 3 4 5; do
	step nvme-unload-$i nvme_unload
	step nvme-reload-$i nvme_load
	fact nvme-msix-after-reload-$i msix msix_on "$NVME"
	fact nvme-intx-after-reload-$i intx none_on "$NVME"
	step nvme-data-$i nvme_data $i
	fact e1000e-unload-$i any e1000e_unload
	fact e1000e-reload-$i any e1000e_load
	fact e1000e-msix-after-reload-$i msix msix_on "$E1000E"
done
fact nvme-io-queues-at-end msix nvme_io_queues

# Single-vector MSI: the e1000e forced to MSI runs its own interrupt self-test at open.
fact e1000e-unload-for-msi any e1000e_unload
fact e1000e-load-msi-mode any e1000e_load IntMode=1
fact e1000e-msi record msi_on "$E1000E" # follows the self-test below
msi_selftest() {
	if dmesg | grep -q 'MSI interrupt test failed'; then echo "e1000e: MSI interrupt test failed"; return 1; fi
	echo "no 'MSI interrupt test failed' from e1000e"
}
fact e1000e-msi-selftest record msi_selftest # recorded only: see the README on this test
fact e1000e-irqs-on-msi any e1000e_irqs
dmesg | grep -E 'e1000e.*(MSI|interrupt)|MSI-X|Xen PCI frontend error|xen-pcifront' | tail -n 12 | sed 's/^/XPF-SHOW dmesg| /'

for i in 0 1 2; do
	[ $i = 0 ] || step ahci-unload-$i ahci_unload
	step ahci-load-$i ahci_load
	fact ahci-msi-$i msix msi_on "$AHCI"
	fact ahci-intx-$i intx none_on "$AHCI"
	step ahci-data-$i disk_data /dev/sda $i
	fact ahci-irqs-firing-$i any ahci_irqs
done

# SMP (issue 18.2): op_irq_moves (domu-devs.sh) over this domain's vCPUs.
[ "$xpf_frontend" = ours ] && step op-irq-on-each-vcpu op_irq_moves

# Drivers gone: nothing may be left enabled at pciback or in our records.
step nvme-unload-end nvme_unload
step e1000e-unload-end e1000e_unload
step ahci-unload-end ahci_unload
if [ "$xpf_frontend" = ours ]; then
	echo "XPF-SHOW msi devices:"; sed 's/^/XPF-SHOW   /' $MSI_DEVS
	echo "XPF-SHOW bindings:"; sed 's/^/XPF-SHOW   /' $BINDINGS
	msi_idle() {
		grep -q '^devices 0$' $MSI_DEVS || { echo "records left: $(tr '\n' ' ' <$MSI_DEVS)"; return 1; }
		_live=$(sed -n 1p $BINDINGS | cut -d' ' -f2)
		[ "$_live" = 1 ] || { echo "$_live bindings live, expected only the op channel"; return 1; }
		echo "$(sed -n 2p $MSI_DEVS); bindings: $(sed -n 1p $BINDINGS)"
	}
	step msi-idle-at-end msi_idle
	if [ "$expect" = intx ]; then
		one_line_each() { # one clear line per device, however often its driver retried
			# MSI-X refusals name the cause (-19); pciback answers MSI refusals with a
			# bare op_failed, so the AHCI's line (MSI only) cannot.
			for _b in $NVME $E1000E $AHCI; do
				_c=$(dmesg | grep -c "$_b: MSI.* refused by pciback")
				[ "$_c" = 1 ] || { echo "$_b: $_c 'refused by pciback' lines"; return 1; }
			done
			dmesg | grep -m1 "dom0 cannot enable MSI"
		}
		step one-log-line-per-device one_line_each
	fi
else
	echo "XPF-STEP-NOTE in-tree run: recorded only"
	ktap_result ok msi-idle-at-end "in-tree run, nothing of ours to check"
fi
step dmesg-clean-msi dmesg_clean
