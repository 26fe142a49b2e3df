// SPDX-License-Identifier: GPL-2.0
// Where the frontend gets Xen system time, the time base of SCHEDOP_poll's absolute deadline.
// Portable: built unchanged for the kernel and for the host tests.
//
// Xen takes an absolute deadline in its own system time (ns since Xen booted); a deadline in the
// past returns at once and 0 means "never". The in-tree frontend passes jiffies, which is always
// in the past, so its wait is a hypercall spin. We need NOW in Xen time from an atomic context:
//   1. the kernel's vCPU0 pvclock copy, when Xen marks the TSC stable (exact, any vCPU);
//   2. otherwise the current clocksource, when it is Xen's: its counter is then Xen system time
//      in ns. We only trust it after checking it at connect time against a lower bound Xen gives
//      us (the vCPU's runstate entry time) and against the kernel's raw clock;
//   3. otherwise none: the wait polls with a deadline in the past (a bounded spin, like in-tree).
#pragma once

#include "kcxx/types.h"

namespace pcifront
{

enum class XenClockKind { None, Pvclock, Clocksource };
const char *xen_clock_kind_name(XenClockKind k);

// One reading of the kernel clock: the clocksource counter and CLOCK_MONOTONIC_RAW (ns), taken
// together (ktime_get_snapshot).
struct ClockSample {
	uint64_t cycles = 0;
	uint64_t raw_ns = 0;
};

// Is @b.cycles Xen system time? @a and @b are snapshots at least 1 ms apart, @runstate_entry the
// vCPU's runstate entry time read from Xen between them (after a sleep, so it is recent): a
// lower bound of Xen NOW at that moment.
// - the counter must advance at 1 ns per ns (a TSC or jiffies counter does not);
// - it must not be behind the lower bound, nor more than a second ahead of it.
bool clocksource_is_xen_time(const ClockSample &a, const ClockSample &b, uint64_t runstate_entry);

// The absolute Xen deadline for a wait of @remaining_ns from @xen_now_ns. Never 0, which Xen
// reads as "no timeout"; a wait that is already over gets 1, a time Xen has passed.
// The first @spin_ns of an op's wait poll without blocking: a backend answers most ops within
// that, and waking a blocked vCPU costs more than the answer (the scheduler's round trip). Past
// it, the wait blocks until the reply's event or the deadline. @now_ns is never before @sent_ns.
inline bool op_wait_spins(uint64_t sent_ns, uint64_t now_ns, uint64_t spin_ns)
{
	return now_ns - sent_ns < spin_ns;
}

inline uint64_t xen_poll_deadline(uint64_t xen_now_ns, uint64_t remaining_ns)
{
	if (remaining_ns == 0)
		return 1;
	const uint64_t d = xen_now_ns + remaining_ns;
	return d < xen_now_ns ? ~0ull : d;
}

} // namespace pcifront
