// SPDX-License-Identifier: GPL-2.0
// The rate limit of log lines a misbehaving backend could repeat without end: per call site
// (keyed by its format string), as the kernel's dev_*_ratelimited() keep one state per call
// site, so that a flood of one line does not silence another, and never for a whole module.
// At most kBurst lines of a site per kIntervalNs; how many were dropped is said with the next
// line of that site that passes. Lock-free: any context, interrupts off included.
// Portable: built unchanged for the kernel and for the host tests.
#pragma once

#include "kcxx/types.h"

namespace kcxx
{

class LogLimits
{
      public:
	static constexpr uint32_t kBurst = 10;				   // lines per site
	static constexpr uint64_t kIntervalNs = 5ull * 1000 * 1000 * 1000; // per this span
	// Slots: the first 31 sites each own one, the rest share the last.
	static constexpr int kSites = 32;
	static_assert(kBurst < 256, "the printed count is 8 bits of the state word");

	// Whether a line of @site may be printed at @now_ns; when it may, *@dropped is how many
	// of that site's lines were not printed since its last one that was.
	bool allow(const void *site, uint64_t now_ns, uint32_t *dropped)
	{
		uint64_t *state = slot(site);
		const uint64_t window = (now_ns / kIntervalNs) & kWindowMask;
		uint64_t old = __atomic_load_n(state, __ATOMIC_RELAXED);
		for (;;) {
			uint64_t next;
			bool pass = true;
			const uint32_t missed = static_cast<uint32_t>(old & kMissedMask);
			const uint32_t printed =
			    static_cast<uint32_t>((old >> kPrintedShift) & 0xff);
			if (old >> kWindowShift != window)
				next = pack(window, 1, 0);
			else if (printed < kBurst)
				next = pack(window, printed + 1, 0);
			else {
				pass = false;
				next = pack(window, printed,
					    missed < kMissedMask ? missed + 1 : missed);
			}
			if (__atomic_compare_exchange_n(state, &old, next, false, __ATOMIC_RELAXED,
							__ATOMIC_RELAXED)) {
				*dropped = pass ? missed : 0;
				return pass;
			}
		}
	}

      private:
	// One word per site: the window (now / kIntervalNs, low bits), the lines printed in it,
	// and the lines dropped since the last one printed (saturating).
	static constexpr int kWindowShift = 24, kPrintedShift = 16;
	static constexpr uint64_t kWindowMask = (1ull << (64 - kWindowShift)) - 1;
	static constexpr uint64_t kMissedMask = 0xffff;
	static uint64_t pack(uint64_t window, uint32_t printed, uint32_t missed)
	{
		return window << kWindowShift | static_cast<uint64_t>(printed) << kPrintedShift |
		       missed;
	}

	uint64_t *slot(const void *site)
	{
		for (int i = 0; i < kSites - 1; ++i) {
			const void *k = __atomic_load_n(&keys_[i], __ATOMIC_ACQUIRE);
			if (k == site)
				return &state_[i];
			if (!k) {
				const void *expected = nullptr;
				if (__atomic_compare_exchange_n(&keys_[i], &expected, site, false,
								__ATOMIC_ACQ_REL,
								__ATOMIC_ACQUIRE) ||
				    expected == site)
					return &state_[i];
			}
		}
		return &state_[kSites - 1];
	}

	const void *keys_[kSites] = {};
	uint64_t state_[kSites] = {};
};

} // namespace kcxx
