# SPDX-License-Identifier: GPL-2.0
# The rogue scenario in dom0 (scenarios/rogue.toml; sourced by scenario.sh): dom0's xpf-rogue
# plays a misbehaving backend, round by round (domu-rogue.sh).
PLAIN_CREATE=1
scenario_cfg() {
	# No device: dom0's xpf-rogue plays the backend. Its msix round's BAR page.
	printf 'iomem=["%x,1"]\n' $((RG_MSIX_BAR >> 12))
	# A 6.5+ kernel started without a device sets xen-swiotlb up only with the host's
	# memory map, and without it our frontend refuses every device (as it must).
	[ -z "${xpf_e820_host:-}" ] || echo 'e820_host=1'
}
scenario_run() {
	# xpf-rogue plays pciback for the driver domain, one misbehaviour per round; its own
	# lines go to the console as dom0-rogue|.
	RG_SECS=${xpf_rogue_secs:-10}
	run_rogue() { # round
		XPF_ROGUE_BAR=$RG_MSIX_BAR timeout 150 /xpf/xpf-rogue "$DOMID" "$1" "$RG_SECS" >/tmp/rogue-$1.log 2>&1
	}
	rogue_rounds() {
		n=0
		for s in $RG_LIST; do
			wait_domu 240 "driver domain ready for $s" "XPF-RG-READY $((n + 1)) $s" >/dev/null ||
				{ echo "the driver domain never got ready for round $s (stuck in the round before?)"; return 1; }
			run_rogue "$s"
			rc=$?
			# A rogue that crashed before it created its nodes (the TCG user-space flake): the
			# driver domain has seen nothing yet and is still waiting, so it starts again.
			if [ $rc -ge 132 ] && [ $rc -le 139 ] && ! grep -q 'waiting for the frontend' /tmp/rogue-$s.log; then
				echo "dom0-rogue| round $s: xpf-rogue died on signal $((rc - 128)) before it created its nodes; starting it again" >/dev/console
				run_rogue "$s"
				rc=$?
			fi
			sed "s/^/dom0-rogue| /" /tmp/rogue-$s.log | tail -n 12 >/dev/console
			# A rogue that died without its cleanup: its nodes go here, ending the round.
			xenstore-rm "/local/domain/$DOMID/device/pci/0" 2>/dev/null
			xenstore-rm "/local/domain/0/xpf-rogue/$DOMID" 2>/dev/null
			# Killed by SIGILL..SIGSEGV (124 is timeout's own): the TCG user-space flake, most
			# likely; run.sh calls a run with this line an infrastructure failure.
			case $rc in
			0 | 1) ;;
			13[2-9]) echo "dom0-rogue| round $s: xpf-rogue killed by signal $((rc - 128))" >/dev/console ;;
			*) echo "dom0-rogue| round $s: xpf-rogue exited with $rc" >/dev/console ;;
			esac
			wait_domu "${xpf_rogue_wait:-240}" "round $s checked" "XPF-RG-DONE $((n + 1)) $s" >/dev/null ||
				{ echo "the driver domain did not finish round $s (hung?)"; return 1; }
			n=$((n + 1))
		done
		echo "$n rounds against xpf-rogue, ${RG_SECS} s each: $RG_LIST"
	}
	XPF_NO_RERUN=1 step dom0-rogue-rounds rogue_rounds || handshake_failed=1
}
