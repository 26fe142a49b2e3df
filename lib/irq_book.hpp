// SPDX-License-Identifier: GPL-2.0
// Bookkeeping of every event channel, irq and pirq the module set binds, so teardown can prove
// nothing leaked and debugfs can show evtchn <-> irq <-> pirq <-> device.
// Its slots come in chunks allocated on use, outside the caller's spinlock (grow()), and kept
// until the book goes: an idle module set holds no slot. Portable: built unchanged for the
// kernel and for the host tests.
#pragma once

#include "kcxx/alloc.hpp"
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

struct BindingChunk {
	static constexpr int kSlots = 32;
	Binding slots[kSlots];
};

class IrqBook {
      public:
	static constexpr int kChunks = 16;
	static constexpr int kCapacity = kChunks * BindingChunk::kSlots;

	// Returns a handle (>= 0) for untrack(); -ENOSPC when every slot is taken: the caller then
	// grows the book (unless full()) and tries again.
	kcxx::Result<int> track(BindingKind kind, uint32_t evtchn, int irq, int pirq,
				const char *owner);
	// Every chunk is there: no slot can be added.
	bool full() const { return chunks_used_ == kChunks; }
	// Adds @chunk's slots; false (and @chunk left to the caller) when full().
	bool grow(kcxx::Box<BindingChunk> &chunk);
	// Handles are checked: a stale or forged one is refused with -ENOENT.
	kcxx::Result<void> untrack(int handle);

	int count() const { return count_; }
	int high_water() const { return high_water_; }
	uint64_t total_tracked() const { return total_; }
	// Calls fn(handle, binding) for each live entry.
	template <typename Fn> void for_each(Fn fn) const
	{
		for (int i = 0; i < chunks_used_ * BindingChunk::kSlots; i++)
			if (slot(i).kind != BindingKind::Free)
				fn(i, slot(i));
	}

      private:
	Binding &slot(int h) const
	{
		return chunks_[h / BindingChunk::kSlots]->slots[h % BindingChunk::kSlots];
	}

	kcxx::Box<BindingChunk> chunks_[kChunks];
	int chunks_used_ = 0;
	int count_ = 0;
	int high_water_ = 0;
	uint64_t total_ = 0;
};

} // namespace pcifront
