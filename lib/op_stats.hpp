// SPDX-License-Identifier: GPL-2.0
// Counters the frontend shows in debugfs: per device and in total, ops, errors, timeouts and a
// latency histogram. Updated under the op lock; read without it (a torn read is only a number).
// Portable: built unchanged for the kernel and for the host tests.
#pragma once

#include "lib/pciif.hpp"

namespace pcifront
{

// Power-of-two buckets in microseconds: [0,1), [1,2), [2,4) ... and a last open bucket.
class LatencyHistogram
{
      public:
	static constexpr int kBuckets = 18; // up to 2^16 us (65 ms), then "more"

	void record(uint64_t ns)
	{
		uint64_t us = ns / 1000;
		int b = 0;
		while (us && b < kBuckets - 1) {
			us >>= 1;
			++b;
		}
		++count_[b];
	}
	uint64_t count(int bucket) const { return count_[bucket]; }
	// Upper bound of @bucket in microseconds (exclusive); 0 for the open last bucket.
	static uint64_t upper_us(int bucket) { return bucket < kBuckets - 1 ? 1ull << bucket : 0; }

      private:
	uint64_t count_[kBuckets] = {};
};

struct DeviceCounters {
	Bdf bdf;
	uint64_t reads = 0;
	uint64_t writes = 0;
	uint64_t errors = 0;   // backend answered with an error
	uint64_t timeouts = 0; // no answer in time, or refused while the backend held an op
	uint64_t faults = 0;   // a reply that failed validation
};

// A fixed table: devices beyond it are still counted in the totals, under the last slot.
class DeviceTable
{
      public:
	static constexpr int kSlots = 32;

	DeviceCounters &get(const Bdf &bdf)
	{
		for (int i = 0; i < used_; ++i)
			if (slots_[i].bdf == bdf)
				return slots_[i];
		if (used_ < kSlots) {
			slots_[used_].bdf = bdf;
			return slots_[used_++];
		}
		++overflow_;
		return slots_[kSlots - 1];
	}
	int used() const { return used_; }
	const DeviceCounters &at(int i) const { return slots_[i]; }
	uint64_t overflow() const { return overflow_; }

      private:
	DeviceCounters slots_[kSlots];
	int used_ = 0;
	uint64_t overflow_ = 0;
};

} // namespace pcifront
