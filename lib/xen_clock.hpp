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
//      us (the vCPU's runstate entry time) and against the kernel's raw clock, and only while
//      the kernel has not changed its clocksource since (an admin may select `tsc` at run time:
//      the counter is then TSC cycles, and a deadline from it lands hours away);
//   3. otherwise none: the wait polls with a deadline in the past (a bounded spin, like in-tree).
// Whatever the base, one poll never sleeps longer than kPollSliceNs: the op's reply may have
// been acknowledged by another vCPU's handler (which clears the port's pending bit that wakes a
// poll) between our last look at the flag and the poll.
#pragma once

#include "kcxx/types.h"

namespace pcifront
{

enum class XenClockKind { None, Pvclock, Clocksource };
const char *xen_clock_kind_name(XenClockKind k);

// One reading of the kernel clock: the clocksource counter, CLOCK_MONOTONIC_RAW (ns) and the
// timekeeper's clocksource-change count, taken together (ktime_get_snapshot).
struct ClockSample {
	uint64_t cycles = 0;
	uint64_t raw_ns = 0;
	uint32_t cs_seq = 0;
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

// The longest one SCHEDOP_poll may sleep (see the top of this file): a lost wake-up costs this.
constexpr uint64_t kPollSliceNs = 1000000;

// Xen system time for the op wait, chosen once per connection and checked at every read.
// Source: what the kernel (or the host fake) gives:
//   bool pvclock_ns(uint64_t *t);        // vCPU0's pvclock copy, when Xen marks the TSC stable
//   ClockSample snapshot();              // ktime_get_snapshot()
//   bool runstate_entry_ns(uint64_t *t); // this vCPU's runstate entry time (Xen time)
//   void sleep_ms(unsigned int ms);      // process context only
template <class Source> class XenClock
{
      public:
	explicit XenClock(Source &s) : s_(s) {}

	// Process context (connect, take-over): picks the time base.
	XenClockKind detect()
	{
		uint64_t t = 0;
		dropped_ = false;
		if (s_.pvclock_ns(&t)) {
			kind_ = XenClockKind::Pvclock;
			return kind_;
		}
		const ClockSample a = s_.snapshot();
		s_.sleep_ms(2);
		uint64_t entry = 0;
		const bool have_entry = s_.runstate_entry_ns(&entry);
		const ClockSample b = s_.snapshot();
		const bool xen =
		    have_entry && a.cs_seq == b.cs_seq && clocksource_is_xen_time(a, b, entry);
		kind_ = xen ? XenClockKind::Clocksource : XenClockKind::None;
		seq_ = b.cs_seq;
		return kind_;
	}

	// Any context: Xen system time now, or false (the wait then polls without blocking).
	// A Clocksource base whose clocksource changed since detect() is dropped for good.
	bool now(uint64_t *t)
	{
		switch (kind_) {
		case XenClockKind::Pvclock:
			return s_.pvclock_ns(t);
		case XenClockKind::Clocksource: {
			const ClockSample c = s_.snapshot();
			if (c.cs_seq != seq_) {
				kind_ = XenClockKind::None;
				dropped_ = true;
				++changes_;
				return false;
			}
			*t = c.cycles;
			return true;
		}
		case XenClockKind::None:
			break;
		}
		return false;
	}

	XenClockKind kind() const { return kind_; }
	// True once after now() dropped a Clocksource base: the caller says so in the log.
	bool take_dropped()
	{
		const bool d = dropped_;
		dropped_ = false;
		return d;
	}
	uint64_t changes() const { return changes_; }

      private:
	Source &s_;
	XenClockKind kind_ = XenClockKind::None;
	uint32_t seq_ = 0;
	bool dropped_ = false;
	uint64_t changes_ = 0;
};

// The absolute Xen deadline for one SCHEDOP_poll of an op wait: 1 (already past: the poll
// returns at once) while the wait spins or when no Xen time is known; otherwise now plus what
// is left of the op's deadline, at most kPollSliceNs.
template <class Source>
uint64_t op_poll_deadline(XenClock<Source> &clock, uint64_t sent_ns, uint64_t now_ns,
			  uint64_t deadline_ns, uint64_t spin_ns)
{
	if (op_wait_spins(sent_ns, now_ns, spin_ns))
		return 1;
	uint64_t xen_now = 0;
	if (!clock.now(&xen_now))
		return 1;
	uint64_t remaining = deadline_ns > now_ns ? deadline_ns - now_ns : 0;
	if (remaining > kPollSliceNs)
		remaining = kPollSliceNs;
	return xen_poll_deadline(xen_now, remaining);
}

} // namespace pcifront
