// SPDX-License-Identifier: GPL-2.0
// How many AER requests a connection answers in a span of time. An error's recovery is at most
// four requests per function (error_detected, mmio_enabled, slot_reset, resume), each waiting
// for the answer before the next; a backend that asks faster than any recovery, or sets the
// request flag again the moment it is answered, would otherwise keep the AER work and the
// drivers' error handlers running without end. Past the budget a request waits, and an event
// that carried it counts as spurious for the late-EOI throttle.
// Portable: built unchanged for the kernel and for the host tests.
#pragma once

#include "kcxx/types.h"

namespace pcifront
{

class AerBudget
{
      public:
	static constexpr unsigned kRequests = 64;			// at most this many answers
	static constexpr uint64_t kSpanNs = 10ull * 1000 * 1000 * 1000; // within this span

	// Whether one more answer at @now_ns stays within the budget. Any context: a racing
	// spend() only moves one decision by one answer.
	bool allows(uint64_t now_ns) const
	{
		const unsigned next = __atomic_load_n(&next_, __ATOMIC_RELAXED) % kRequests;
		const uint64_t oldest = __atomic_load_n(&at_[next], __ATOMIC_RELAXED);
		return oldest == 0 || now_ns - oldest >= kSpanNs;
	}
	// An answer given at @now_ns. Only the AER work, and Aer::finish() once the work is
	// cancelled, call it: never two at once.
	void spend(uint64_t now_ns)
	{
		__atomic_store_n(&at_[next_ % kRequests], now_ns ? now_ns : 1, __ATOMIC_RELAXED);
		__atomic_store_n(&next_, (next_ + 1) % kRequests, __ATOMIC_RELAXED);
	}

      private:
	uint64_t at_[kRequests] = {}; // when the last kRequests answers were given (0: never)
	unsigned next_ = 0;	      // the oldest of them, overwritten next
};

} // namespace pcifront
