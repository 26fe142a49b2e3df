// SPDX-License-Identifier: GPL-2.0
// The per-call-site rate limit of log lines (lib/log_limit.hpp).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "lib/log_limit.hpp"

namespace
{

using kcxx::LogLimits;

constexpr uint64_t kT0 = 1000ull * LogLimits::kIntervalNs; // some time after boot

int pass_count(LogLimits &l, const void *site, int n, uint64_t now)
{
	int passed = 0;
	uint32_t dropped = 0;
	for (int i = 0; i < n; ++i)
		passed += l.allow(site, now, &dropped);
	return passed;
}

TEST(LogLimits, ASiteGetsItsBurstPerSpanAndHearsWhatWasDropped)
{
	static LogLimits l;
	static const char site[] = "a";
	EXPECT_EQ(pass_count(l, site, 100, kT0), static_cast<int>(LogLimits::kBurst));
	uint32_t dropped = 7;
	EXPECT_FALSE(l.allow(site, kT0 + LogLimits::kIntervalNs - 1, &dropped));
	EXPECT_EQ(dropped, 0u);
	ASSERT_TRUE(l.allow(site, kT0 + LogLimits::kIntervalNs, &dropped));
	EXPECT_EQ(dropped, 100u - LogLimits::kBurst + 1);
	ASSERT_TRUE(l.allow(site, kT0 + LogLimits::kIntervalNs, &dropped));
	EXPECT_EQ(dropped, 0u) << "told once";
}

// The defect of one state for every line: a flood of one line silenced all others.
TEST(LogLimits, AFloodOfOneSiteDoesNotSilenceAnother)
{
	static LogLimits l;
	static const char flood[] = "flood", other[] = "other";
	EXPECT_EQ(pass_count(l, flood, 1000, kT0), static_cast<int>(LogLimits::kBurst));
	EXPECT_EQ(pass_count(l, other, 3, kT0), 3);
}

TEST(LogLimits, TheDroppedCountSaturates)
{
	static LogLimits l;
	static const char site[] = "s";
	(void)pass_count(l, site, 70000 + LogLimits::kBurst, kT0);
	uint32_t dropped = 0;
	ASSERT_TRUE(l.allow(site, kT0 + LogLimits::kIntervalNs, &dropped));
	EXPECT_EQ(dropped, 0xffffu);
}

// More sites than slots: the last slot is shared by the rest, nothing is overrun.
TEST(LogLimits, SitesBeyondTheTableShareTheLastSlot)
{
	static LogLimits l;
	static char sites[LogLimits::kSites + 8];
	for (int i = 0; i < LogLimits::kSites - 1; ++i)
		EXPECT_EQ(pass_count(l, &sites[i], 2, kT0), 2);
	int shared = 0;
	for (int i = LogLimits::kSites - 1; i < LogLimits::kSites + 8; ++i)
		shared += pass_count(l, &sites[i], 2, kT0);
	EXPECT_EQ(shared, static_cast<int>(LogLimits::kBurst));
	EXPECT_EQ(pass_count(l, &sites[0], 1, kT0), 1) << "an early site keeps its own slot";
}

// Callers on several CPUs at once (any context, no lock): the burst is still exact, and every
// line is either printed or counted as dropped.
TEST(LogLimits, ConcurrentCallersShareOneExactBurst)
{
	static LogLimits l;
	static const char site[] = "c";
	std::atomic<int> passed{0};
	std::vector<std::thread> threads;
	for (int t = 0; t < 4; ++t)
		threads.emplace_back([&] { passed += pass_count(l, site, 5000, kT0); });
	for (auto &t : threads)
		t.join();
	EXPECT_EQ(passed.load(), static_cast<int>(LogLimits::kBurst));
	uint32_t dropped = 0;
	ASSERT_TRUE(l.allow(site, kT0 + LogLimits::kIntervalNs, &dropped));
	EXPECT_EQ(dropped, 20000u - LogLimits::kBurst);
}

} // namespace
