// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include "lib/op_stats.hpp"
#include "lib/xen_clock.hpp"

using namespace pcifront;

namespace
{
constexpr uint64_t kMs = 1000000;
constexpr uint64_t kXenBoot = 5000 * kMs; // a Xen system time: 5 s after Xen booted
} // namespace

TEST(XenClock, XenClocksourceIsAccepted)
{
	// The xen clocksource's counter is Xen system time; raw ktime runs beside it.
	ClockSample a{kXenBoot, 100 * kMs, 0}, b{kXenBoot + 2 * kMs + 10, 102 * kMs + 9, 0};
	EXPECT_TRUE(clocksource_is_xen_time(a, b, kXenBoot + 2 * kMs - 50000));
}

TEST(XenClock, TscCounterIsRefused)
{
	// A 2.5 GHz TSC advances 2.5 counts per ns.
	ClockSample a{1000000000, 100 * kMs}, b{1000000000 + 5 * kMs, 102 * kMs};
	EXPECT_FALSE(clocksource_is_xen_time(a, b, 1000000000 + 4 * kMs));
}

TEST(XenClock, CounterBehindXensLowerBoundIsRefused)
{
	// Counts in ns, but not Xen's: Xen says NOW was already later than the counter.
	ClockSample a{kXenBoot, 100 * kMs}, b{kXenBoot + 2 * kMs, 102 * kMs};
	EXPECT_FALSE(clocksource_is_xen_time(a, b, kXenBoot + 3 * kMs));
}

TEST(XenClock, CounterFarAheadOfStaleLowerBoundIsRefused)
{
	// The runstate entry is 10 s old: the check cannot vouch for the counter.
	ClockSample a{kXenBoot, 100 * kMs}, b{kXenBoot + 2 * kMs, 102 * kMs};
	EXPECT_FALSE(clocksource_is_xen_time(a, b, kXenBoot - 10000 * kMs));
}

TEST(XenClock, SamplesTooCloseOrBackwardsAreRefused)
{
	ClockSample a{kXenBoot, 100 * kMs}, b{kXenBoot + 10000, 100 * kMs + 10000};
	EXPECT_FALSE(clocksource_is_xen_time(a, b, kXenBoot));
	ClockSample c{kXenBoot + 3 * kMs, 103 * kMs};
	EXPECT_FALSE(clocksource_is_xen_time(c, ClockSample{kXenBoot, 106 * kMs}, kXenBoot));
}

TEST(XenClock, PollDeadlineIsNeverZeroAndNeverWraps)
{
	// 0 is "wait forever" to Xen: an expired wait must not become one.
	EXPECT_EQ(xen_poll_deadline(kXenBoot, 0), 1u);
	EXPECT_EQ(xen_poll_deadline(0, 0), 1u);
	EXPECT_EQ(xen_poll_deadline(kXenBoot, 7 * kMs), kXenBoot + 7 * kMs);
	EXPECT_EQ(xen_poll_deadline(~0ull - 5, 100), ~0ull);
}

TEST(OpStats, HistogramBuckets)
{
	LatencyHistogram h;
	h.record(0);	    // <1 us
	h.record(999);	    // <1 us
	h.record(1000);	    // [1,2) us
	h.record(3000);	    // [2,4) us
	h.record(10 * kMs); // 10000 us: [8192,16384) -> bucket 14
	h.record(~0ull);    // open bucket
	EXPECT_EQ(h.count(0), 2u);
	EXPECT_EQ(h.count(1), 1u);
	EXPECT_EQ(h.count(2), 1u);
	EXPECT_EQ(h.count(14), 1u);
	EXPECT_EQ(h.count(LatencyHistogram::kBuckets - 1), 1u);
	EXPECT_EQ(LatencyHistogram::upper_us(14), 16384u);
	EXPECT_EQ(LatencyHistogram::upper_us(LatencyHistogram::kBuckets - 1), 0u);
}

TEST(OpStats, DeviceTableKeepsCountingPastItsSize)
{
	DeviceTable t;
	for (uint32_t i = 0; i < DeviceTable::kSlots + 3; ++i) {
		Bdf b;
		b.devfn = i;
		++t.get(b).reads;
	}
	EXPECT_EQ(t.used(), DeviceTable::kSlots);
	EXPECT_EQ(t.overflow(), 3u);
	Bdf first;
	EXPECT_EQ(t.get(first).reads, 1u);
	EXPECT_EQ(t.at(DeviceTable::kSlots - 1).reads, 4u);
}

TEST(XenClock, OpWaitSpinsOnlyForItsBudget)
{
	constexpr uint64_t sent = 5'000'000'000ull, spin = 2'000'000ull; // 2 ms
	EXPECT_TRUE(op_wait_spins(sent, sent, spin));
	EXPECT_TRUE(op_wait_spins(sent, sent + spin - 1, spin));
	EXPECT_FALSE(op_wait_spins(sent, sent + spin, spin));
	EXPECT_FALSE(op_wait_spins(sent, sent + 60'000'000'000ull, spin));
	// op_spin_us=0: every wait blocks at once.
	EXPECT_FALSE(op_wait_spins(sent, sent, 0));
}

// ---- the time base across a clocksource change, against a backend that never answers --------

#include "lib/op_channel.hpp"

namespace
{

// The domain's clocks, in one true time line: Xen system time `xen`, ktime running beside it.
// The kernel's clocksource is Xen's (its counter is Xen time) or the TSC (2.6 counts per ns).
struct FakeClocks {
	uint64_t xen = 86400ull * 1000 * kMs; // a day-old host
	uint64_t ktime_offset = 3 * kMs;      // ktime started a little after Xen
	bool tsc = false;
	uint32_t cs_seq = 7;
	bool pvclock = false;

	uint64_t ktime() const { return xen - ktime_offset; }
	void select(bool use_tsc)
	{
		tsc = use_tsc;
		++cs_seq; // the timekeeper counts every clocksource change
	}
	bool pvclock_ns(uint64_t *t)
	{
		if (pvclock)
			*t = xen;
		return pvclock;
	}
	ClockSample snapshot() const
	{
		return ClockSample{tsc ? xen / 10 * 26 : xen, ktime(), cs_seq};
	}
	bool runstate_entry_ns(uint64_t *t)
	{
		*t = xen - 20000; // the vCPU went running 20 us ago
		return true;
	}
	void sleep_ms(unsigned int ms) { xen += ms * kMs; }
};

// The op channel's transport with the kernel's wait logic (op_poll_deadline) and a backend that
// takes the op and never answers. Each poll sleeps until its Xen deadline (the port never
// becomes pending); a past deadline costs 1 us.
struct SilentTransport {
	FakeClocks &clk;
	XenClock<FakeClocks> &xc;
	uint64_t spin_ns;
	xen_pci_sharedinfo sh = {};
	uint64_t longest_poll = 0;
	int polls = 0;
	int switch_after = -1; // select the TSC after this many polls
	bool switch_to_tsc = true;

	xen_pci_sharedinfo *page() { return &sh; }
	bool active() { return sh.flags & XEN_PCIF_active; }
	void set_active() { sh.flags |= XEN_PCIF_active; }
	void notify() {}
	uint64_t now_ns() { return clk.ktime(); }
	void wait(uint64_t sent, uint64_t now, uint64_t deadline)
	{
		if (polls++ == switch_after)
			clk.select(switch_to_tsc);
		const uint64_t d = op_poll_deadline(xc, sent, now, deadline, spin_ns);
		ASSERT_NE(d, 0u) << "0 is 'never' to Xen";
		if (d <= clk.xen) {
			clk.xen += 1000;
			return;
		}
		longest_poll = std::max(longest_poll, d - clk.xen);
		clk.xen = d;
	}
};

xen_pci_op conf_read_op()
{
	xen_pci_op op = {};
	op.cmd = XEN_PCI_OP_conf_read;
	op.size = 4;
	return op;
}

} // namespace

TEST(XenClock, DetectPicksPvclockThenXenClocksourceThenNone)
{
	FakeClocks c;
	XenClock<FakeClocks> x(c);
	c.pvclock = true;
	EXPECT_EQ(x.detect(), XenClockKind::Pvclock);
	c.pvclock = false;
	EXPECT_EQ(x.detect(), XenClockKind::Clocksource);
	c.select(true);
	EXPECT_EQ(x.detect(), XenClockKind::None);
}

TEST(XenClock, ClocksourceSwitchedMidDetectionIsRefused)
{
	struct Switching : FakeClocks {
		void sleep_ms(unsigned int ms)
		{
			FakeClocks::sleep_ms(ms);
			++cs_seq; // tsc, then xen again, while detect() slept
		}
	} c;
	XenClock<Switching> x(c);
	EXPECT_EQ(x.detect(), XenClockKind::None);
}

// Issue 18.1: an admin selects `tsc` while a silent backend holds an op. The counter then reads
// TSC cycles: a deadline from it would land about 1.6 days away on this day-old host.
TEST(XenClock, SwitchToTscWhileASilentBackendHoldsAnOpStaysBounded)
{
	FakeClocks c;
	XenClock<FakeClocks> x(c);
	ASSERT_EQ(x.detect(), XenClockKind::Clocksource);
	SilentTransport t{c, x, 2 * kMs};
	t.switch_after = 5; // well past the 2 ms spin: the wait is blocking by then
	OpChannel<SilentTransport> ch(t);
	xen_pci_op reply;
	const uint64_t start = c.ktime();
	auto r = ch.call(conf_read_op(), &reply, 2000 * kMs);
	ASSERT_FALSE(r.ok());
	EXPECT_EQ(r.error(), -KCXX_ETIMEDOUT);
	EXPECT_LE(t.longest_poll, kPollSliceNs);
	EXPECT_LE(c.ktime() - start, 2000 * kMs + kPollSliceNs);
	EXPECT_EQ(x.kind(), XenClockKind::None);
	EXPECT_TRUE(x.take_dropped());
	EXPECT_FALSE(x.take_dropped()); // said once
	EXPECT_EQ(x.changes(), 1u);
	// The next op against the same silent backend is refused at once (wedged), not waited on.
	const uint64_t t1 = c.ktime();
	auto r2 = ch.call(conf_read_op(), &reply, 2000 * kMs);
	EXPECT_EQ(r2.error(), -KCXX_EBUSY);
	EXPECT_EQ(c.ktime(), t1);
}

TEST(XenClock, SwitchBackToXenIsNotTrustedUntilDetectedAgain)
{
	FakeClocks c;
	c.select(true);
	XenClock<FakeClocks> x(c);
	ASSERT_EQ(x.detect(), XenClockKind::None);
	SilentTransport t{c, x, 0};
	t.switch_after = 3;
	t.switch_to_tsc = false; // back to 'xen': the counter is right again, but unchecked
	OpChannel<SilentTransport> ch(t);
	xen_pci_op reply;
	const uint64_t start = c.ktime();
	EXPECT_EQ(ch.call(conf_read_op(), &reply, 50 * kMs).error(), -KCXX_ETIMEDOUT);
	EXPECT_EQ(t.longest_poll, 0u); // every poll returned at once: a bounded spin
	EXPECT_LE(c.ktime() - start, 50 * kMs + 1000);
	EXPECT_EQ(x.detect(), XenClockKind::Clocksource); // the next connection checks it again
}

TEST(XenClock, EveryPollIsSlicedSoALostWakeupCostsOneSlice)
{
	// SMP: another vCPU's handler may acknowledge the reply (clearing the pending bit a poll
	// wakes on) between our look at the flag and the poll; the poll must not sleep to the op's
	// deadline.
	FakeClocks c;
	c.pvclock = true;
	XenClock<FakeClocks> x(c);
	ASSERT_EQ(x.detect(), XenClockKind::Pvclock);
	SilentTransport t{c, x, 0};
	OpChannel<SilentTransport> ch(t);
	xen_pci_op reply;
	EXPECT_EQ(ch.call(conf_read_op(), &reply, 30 * kMs).error(), -KCXX_ETIMEDOUT);
	EXPECT_EQ(t.longest_poll, kPollSliceNs);
	EXPECT_GE(t.polls, 30);
}

TEST(XenClock, PollDeadlineIsPastWhileSpinning)
{
	FakeClocks c;
	c.pvclock = true;
	XenClock<FakeClocks> x(c);
	x.detect();
	const uint64_t now = c.ktime();
	EXPECT_EQ(op_poll_deadline(x, now, now + kMs, now + 2000 * kMs, 2 * kMs), 1u);
	EXPECT_EQ(op_poll_deadline(x, now, now + 3 * kMs, now + 2000 * kMs, 2 * kMs),
		  c.xen + kPollSliceNs);
	EXPECT_EQ(op_poll_deadline(x, now, now + 3 * kMs, now + 3 * kMs + 10, 2 * kMs), c.xen + 10);
}

// Issue 18.2: pciback clears _XEN_PCIF_active and then notifies, so each honest reply arrives
// with the flag clear; it must not count as spurious (the late-EOI throttle would then mask the
// channel under honest traffic, and AER requests would wait behind it).
TEST(EventCredit, TheReplyToAnOpIsNotSpurious)
{
	EventCredit e;
	e.op_sent();
	EXPECT_FALSE(e.spurious(false)); // the reply's event
	EXPECT_TRUE(e.spurious(false));	 // a second event for the same op carried nothing
	EXPECT_FALSE(e.spurious(true));	 // an AER request always counts
	for (int i = 0; i < 100; ++i) {
		e.op_sent();
		EXPECT_FALSE(e.spurious(false));
	}
	// A flood with no op behind it is counted, event after event.
	for (int i = 0; i < 5; ++i)
		EXPECT_TRUE(e.spurious(false));
}

TEST(EventCredit, RepliesConsumedByThePollerLeaveOneCreditAtMost)
{
	// The poller may see the reply before the handler runs (or the handler may never run for
	// it): many ops earn one credit, not many, so a flood after them is still counted.
	EventCredit e;
	for (int i = 0; i < 10; ++i)
		e.op_sent();
	EXPECT_FALSE(e.spurious(false));
	EXPECT_TRUE(e.spurious(false));
}
