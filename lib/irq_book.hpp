// SPDX-License-Identifier: GPL-2.0
// Bookkeeping of every event channel, irq and pirq the module set binds, so teardown can prove
// nothing leaked and debugfs can show evtchn <-> irq <-> pirq <-> device.
// Fixed capacity, no allocation: usable under a spinlock.
// Portable: built unchanged for the kernel and for the host tests.
#pragma once

#include "kcxx/result.hpp"

namespace pcifront {

enum class BindingKind : uint8_t { Free, OpChannel, Pirq, MsiPirq, MsixPirq };
const char *binding_kind_name(BindingKind k);

struct Binding {
	BindingKind kind = BindingKind::Free;
	uint32_t evtchn = 0;
	int irq = -1;
	int pirq = -1;
	char owner[24] = {}; // device or xenbus node the binding serves, NUL-terminated
};

class IrqBook {
      public:
	static constexpr int kCapacity = 512;

	// Returns a handle (>= 0) for untrack(), or -ENOSPC when the table is full.
	kcxx::Result<int> track(BindingKind kind, uint32_t evtchn, int irq, int pirq,
				const char *owner);
	// Handles are checked: a stale or forged one is refused with -ENOENT.
	kcxx::Result<void> untrack(int handle);

	int count() const { return count_; }
	int high_water() const { return high_water_; }
	uint64_t total_tracked() const { return total_; }
	// Calls fn(handle, binding) for each live entry.
	template <typename Fn> void for_each(Fn fn) const
	{
		for (int i = 0; i < kCapacity; i++)
			if (slots_[i].kind != BindingKind::Free)
				fn(i, slots_[i]);
	}

      private:
	Binding slots_[kCapacity];
	int count_ = 0;
	int high_water_ = 0;
	uint64_t total_ = 0;
};

} // namespace pcifront
