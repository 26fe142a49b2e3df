// SPDX-License-Identifier: GPL-2.0
// Kernel time for C++ callers (include/kcxx/time.h).
#pragma once

#include "kcxx/time.h"

namespace kcxx
{

// CLOCK_MONOTONIC in ns: any context.
inline uint64_t now_ns()
{
	return kcxx_ktime_get_ns();
}
// Sleeps at least @ms: process context only.
inline void sleep_ms(unsigned int ms)
{
	kcxx_msleep(ms);
}
// The current clocksource's counter, CLOCK_MONOTONIC_RAW, and the count of clocksource changes,
// read together.
inline void time_snapshot(uint64_t *cycles, uint64_t *raw_ns, uint32_t *cs_seq)
{
	kcxx_ktime_get_snapshot(cycles, raw_ns, cs_seq);
}
inline void cpu_relax()
{
	kcxx_cpu_relax();
}

} // namespace kcxx
