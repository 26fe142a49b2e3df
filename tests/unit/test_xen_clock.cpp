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
	ClockSample a{kXenBoot, 100 * kMs}, b{kXenBoot + 2 * kMs + 10, 102 * kMs + 9};
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
