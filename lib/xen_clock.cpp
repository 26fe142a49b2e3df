// SPDX-License-Identifier: GPL-2.0
// Portable: built unchanged for the kernel and for the host tests.
#include "lib/xen_clock.hpp"

namespace pcifront
{

const char *xen_clock_kind_name(XenClockKind k)
{
	switch (k) {
	case XenClockKind::None:
		return "none";
	case XenClockKind::Pvclock:
		return "pvclock";
	case XenClockKind::Clocksource:
		return "clocksource";
	}
	return "unknown";
}

bool clocksource_is_xen_time(const ClockSample &a, const ClockSample &b, uint64_t runstate_entry)
{
	constexpr uint64_t kMinSpanNs = 1000000;     // 1 ms between the samples
	constexpr uint64_t kMaxAheadNs = 1000000000; // 1 s past the lower bound
	if (b.raw_ns < a.raw_ns + kMinSpanNs || b.cycles < a.cycles)
		return false;
	const uint64_t d_raw = b.raw_ns - a.raw_ns;
	const uint64_t d_cyc = b.cycles - a.cycles;
	const uint64_t diff = d_cyc > d_raw ? d_cyc - d_raw : d_raw - d_cyc;
	// 0.1 % plus rounding: a 1 GHz counter; NTP does not steer the raw clock.
	if (diff > d_raw / 1000 + 1000)
		return false;
	return runstate_entry <= b.cycles && b.cycles - runstate_entry <= kMaxAheadNs;
}

} // namespace pcifront
