// SPDX-License-Identifier: GPL-2.0
// Portable: built unchanged for the kernel and for the host tests.
#include "lib/irq_book.hpp"

namespace pcifront {

const char *binding_kind_name(BindingKind k)
{
	switch (k) {
	case BindingKind::Free:
		return "free";
	case BindingKind::OpChannel:
		return "op-channel";
	case BindingKind::Pirq:
		return "intx-pirq";
	case BindingKind::MsiPirq:
		return "msi-pirq";
	case BindingKind::MsixPirq:
		return "msix-pirq";
	}
	return "unknown";
}

kcxx::Result<int> IrqBook::track(BindingKind kind, uint32_t evtchn, int irq, int pirq,
				 const char *owner)
{
	if (kind == BindingKind::Free)
		return kcxx::err(-KCXX_EINVAL);
	for (int i = 0; i < chunks_used_ * BindingChunk::kSlots; i++) {
		Binding &b = slot(i);
		if (b.kind != BindingKind::Free)
			continue;
		b.kind = kind;
		b.evtchn = evtchn;
		b.irq = irq;
		b.pirq = pirq;
		size_t n = 0;
		for (; owner && owner[n] && n + 1 < sizeof(b.owner); n++)
			b.owner[n] = owner[n];
		b.owner[n] = '\0';
		++count_;
		++total_;
		high_water_ = kcxx::max(high_water_, count_);
		return i;
	}
	return kcxx::err(-KCXX_ENOSPC);
}

bool IrqBook::grow(kcxx::Box<BindingChunk> &chunk)
{
	if (full() || !chunk)
		return false;
	chunks_[chunks_used_++] = kcxx::move(chunk);
	return true;
}

kcxx::Result<void> IrqBook::untrack(int handle)
{
	if (handle < 0 || handle >= chunks_used_ * BindingChunk::kSlots ||
	    slot(handle).kind == BindingKind::Free)
		return kcxx::err(-KCXX_ENOENT);
	slot(handle) = Binding();
	--count_;
	return kcxx::ok();
}

} // namespace pcifront
