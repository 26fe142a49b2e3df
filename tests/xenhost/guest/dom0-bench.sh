# SPDX-License-Identifier: GPL-2.0
# The bench scenario in dom0 (scenarios/bench.toml; sourced by scenario.sh): a driver domain per
# frontend and round, alternating which goes first, in this one boot (domu-bench.sh;
# tests/bench/).
# From round xpf_bench_from on (a boot that takes over the rounds a dead one lost: run.sh);
# which frontend goes first is the round's own, whichever boot runs it.
BENCH_ORDER=$(i=${xpf_bench_from:-1}; while [ $i -le "${xpf_bench_rounds:-3}" ]; do
	if [ $((i % 2)) = 1 ]; then echo "ours:$i intree:$i"; else echo "intree:$i ours:$i"; fi
	i=$((i + 1)); done)
BENCH_FIRST=$(echo $BENCH_ORDER | cut -d' ' -f1)
frontend=${BENCH_FIRST%:*} BENCH_ROUND=${BENCH_FIRST#*:}
DOMU=bench-$frontend-$BENCH_ROUND
# Each side on its own physical CPU of the emulated host (xpf_bench_pin=0 turns it off):
# dom0's vCPUs on CPU 0, each driver domain's on CPU 1. Left to the scheduler, a driver
# domain's vCPU shared a CPU with dom0's busy one or not, by chance, and a domain's speed
# then varied by up to 2x within one boot even where no config op was measured.
BENCH_PIN=
if [ "${xpf_bench_pin:-1}" = 1 ]; then
	if xl vcpu-pin 0 all 0 >/tmp/pin.log 2>&1; then
		BENCH_PIN=1
		echo "XPF-SHOW bench pinned: dom0's vCPUs on CPU 0, the driver domains' on CPU 1" >/dev/console
	else
		echo "XPF-SHOW bench not pinned: $(tr '\n' ' ' </tmp/pin.log)" >/dev/console
	fi
fi
scenario_cfg() {
	# The e1000 from the start; the e1000e is hot-attached (bench_hotplug).
	echo "pci=['$PT_BDF']"
	[ -z "$BENCH_PIN" ] || echo 'cpus="1"'
}
scenario_end() {
	# The port on the driver domain's last console line "TAG <port>", only from a whole line
	# (its CR written): a line still being logged could end in a port's first digits.
	console_port() { # tag
		awk -v re="^$1 [0-9]+\r\$" '$0 ~ re { p = $2 } END { sub(/\r$/, "", p); if (p == "") exit 1; print p }' \
			"$(domu_log)" 2>/dev/null
	}
	floor_port() { console_port XPF-FLOOR-PORT; }
	kfloor_port() { console_port XPF-FLOOR-KPORT; }
	# Both floors' dom0 side, in the background: xpf-bench floor-echo answers each of the
	# user-space floor's events; then xpf_floor_echo is bound to the kernel floor's port and
	# unloaded once it has measured (before the next domain's).
	# The driver domain's id: xl once, twice if the TCG flake kills it.
	bench_domid() { xl domid "$DOMU" 2>/dev/null || xl domid "$DOMU"; }
	floor_echo() {
		# Asked here, not again in the background.
		_id=$(bench_domid) || return 1
		_n=$((BENCH_FLOOR_OPS * BENCH_FLOOR_ROUNDS))
		(
			# In a job of its own: a user-space floor that died (the TCG flake) leaves its
			# echo waiting up to 120 s, and the kernel floor must not wait behind it.
			(
				WAIT_GIVE_UP=domu_cannot_say wait_for 300 "the floor's port" floor_port >/dev/null || exit 0
				timeout 120 /xpf/xpf-bench floor-echo "$_id" "$(floor_port)" "$_n" 2>&1 | sed "s/^/dom0-floor| $DOMU: /"
			) &
			WAIT_GIVE_UP=domu_cannot_say wait_for 900 "the kernel floor's port" kfloor_port >/dev/null || exit 0
			insmod /xpf/xpf_floor_echo.ko domid="$_id" port="$(kfloor_port)" || exit 0
			WAIT_GIVE_UP=domu_cannot_say wait_for 240 "the kernel floor measured" console_says XPF-FLOOR-KDONE >/dev/null
			rmmod xpf_floor_echo
		) </dev/null >/dev/console 2>&1 &
	}
	bench_domu() { write_cfg >/dev/null && create_domu && floor_echo; }
	# The hotplug rows, timed here: from `xl pci-attach` of the e1000e to the driver domain
	# saying its netdev is up, and from `xl pci-detach` to it saying the device is gone. The
	# console is polled every 0.1 s.
	console_wait() { # seconds line
		_n=0
		until console_says "$2"; do
			_n=$((_n + 1))
			[ $_n -lt $(($1 * 10)) ] && ! domu_done || return 1
			sleep 0.1
		done
	}
	# xl pci-OP of the e1000e, then the driver domain's LINE: "<ms to xl's return> <ms to LINE>".
	# An op that took more than 2 s shows each change of the xenbus states with its time
	# (hp_states), and libxl's "not ready" (a 10 s wait for the backend timed out), so a slow
	# detach says whose answer came late; the row keeps its time.
	timed_hotplug() { # op line
		_id=$(xl domid $DOMU 2>/dev/null)
		hp_states "$_id" >/tmp/hp-states.txt 2>&1 &
		_tracer=$!
		_t0=$(now_ms)
		xl pci-$1 $DOMU $BENCH_HP_BDF >/tmp/hp.log 2>&1 || { kill $_tracer; echo "$1 failed: $(tail -n 3 /tmp/hp.log | tr '\n' ' ')"; return 1; }
		_t1=$(now_ms)
		# Sampled 5 s more: a state that came late is then told from one that never came.
		[ $((_t1 - _t0)) -le 2000 ] || sleep 5
		kill $_tracer 2>/dev/null; wait $_tracer 2>/dev/null
		if [ $((_t1 - _t0)) -gt 2000 ]; then
			{ echo "XPF-SHOW slow hotplug: fe=$frontend round=$BENCH_ROUND xl pci-$1 ($((_t1 - _t0)) ms), states:"
				sed 's/^/XPF-SHOW   /' /tmp/hp-states.txt
				grep -i "not ready\|error" /tmp/hp.log | sed 's/^/XPF-SHOW   xl: /'; } >/dev/console
		fi
		console_wait 180 "$2" || { echo "the driver domain never said $2 after the $1"; return 1; }
		echo "$((_t1 - _t0)) $(($(now_ms) - _t0))"
	}
	# pciback's event channel as dom0's kernel counted it up to here (every config-op row is
	# measured by then): events, the ones pciback found nothing to do for (spurious), and the
	# jiffies Linux's late-EOI throttle held the channel masked for them: each one is a wait
	# the frontend's next op can meet.
	backend_events() {
		# (bench_domu's _id is lost with its step's subshell)
		_bid=$(bench_domid) || return 0
		_x=/sys/bus/xen-backend/devices/pci-$_bid-0/xenbus
		[ -r $_x/events ] || { echo "XPF-SHOW bench: no $_x/events: no backend event rows" >/dev/console; return 0; }
		echo "XPF-SHOW bench fe=$frontend round=$BENCH_ROUND backend_events events=$(cat $_x/events) spurious=$(cat $_x/spurious_events) eoi_delayed_jiffies=$(cat $_x/jiffies_eoi_delayed)" >/dev/console
	}
	bench_hotplug() {
		wait_domu 900 "the driver domain ready for the hotplug rows" XPF-BENCH-HP-READY >/dev/null || return 1
		backend_events
		a=$(timed_hotplug attach XPF-BENCH-HP-UP) || { echo "$a"; return 1; }
		wait_domu 600 "the MSI-X cycles" XPF-BENCH-HP-DETACH >/dev/null || return 1
		d=$(timed_hotplug detach XPF-BENCH-HP-DOWN) || { echo "$d"; return 1; }
		set -- $a $d
		echo "XPF-SHOW bench fe=$frontend round=$BENCH_ROUND hotplug attach_ms=$2 detach_ms=$4 xl_attach_ms=$1 xl_detach_ms=$3" >/dev/console
		echo "e1000e: attach to usable $2 ms, detach $4 ms"
	}
	# A round's second domain done (or failed in this boot): the round is behind this boot,
	# and a boot run.sh starts after this one dies goes on from the next (bench-round lines).
	round_end() {
		[ "$BENCH_ROUND" = "${_half:-}" ] && echo "XPF-SHOW bench-round $BENCH_ROUND whole" >/dev/console
		_half=$BENCH_ROUND
	}
	floor_echo
	step "bench-hotplug-$frontend-$BENCH_ROUND" bench_hotplug
	domu_wrapup "domU-$frontend-$BENCH_ROUND"
	round_end
	for b in $BENCH_ORDER; do
		[ "$b" = "$BENCH_FIRST" ] && continue # the first, booted above
		frontend=${b%:*} BENCH_ROUND=${b#*:}
		DOMU=bench-$frontend-$BENCH_ROUND
		if ! step "domu-create-$frontend-$BENCH_ROUND" bench_domu; then
			# A create that failed (xl killed by the TCG flake, say) costs this domain's
			# rows, not the rounds after it.
			xl destroy "$DOMU" >/dev/null 2>&1
			round_end
			continue
		fi
		step "bench-hotplug-$frontend-$BENCH_ROUND" bench_hotplug
		domu_wrapup "domU-$frontend-$BENCH_ROUND"
		round_end
	done
}
