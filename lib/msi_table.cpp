// SPDX-License-Identifier: GPL-2.0
// Portable: built unchanged for the kernel and for the host tests.
#include "lib/msi_table.hpp"

namespace pcifront {

const char *msi_failure_name(MsiFailure f)
{
	switch (f) {
	case MsiFailure::None:
		return "none";
	case MsiFailure::BadRequest:
		return "request not expressible in the protocol";
	case MsiFailure::TableFull:
		return "too many devices with vectors";
	case MsiFailure::NoMemory:
		return "no memory for the device's record";
	case MsiFailure::StaleState:
		return "a mode left on at the backend could not be switched off";
	case MsiFailure::Transport:
		return "no valid answer from pciback";
	case MsiFailure::Backend:
		return "refused by pciback";
	case MsiFailure::BadVector:
		return "invalid vector from pciback";
	case MsiFailure::PirqInUse:
		return "pirq already held by another device";
	case MsiFailure::PirqRejected:
		return "pirq unknown to Xen for this domain";
	}
	return "unknown";
}

MsiDevice *MsiTable::lookup(const Bdf &bdf, bool create, bool *full)
{
	MsiDevice *kept = nullptr;
	kcxx::Box<MsiDevice> *empty = nullptr;
	for (auto &d : devs_) {
		if (!d) {
			if (!empty)
				empty = &d;
		} else if (d->used && d->bdf == bdf) {
			return d.get();
		} else if (!d->used && !kept) {
			kept = d.get();
		}
	}
	if (!create)
		return nullptr;
	if (!kept) {
		if (!empty) {
			if (full)
				*full = true;
			return nullptr;
		}
		auto box = kcxx::try_make_box<MsiDevice>(KCXX_GFP_KERNEL);
		if (!box.ok())
			return nullptr;
		*empty = kcxx::move(*box.get());
		kept = empty->get();
	}
	*kept = MsiDevice();
	kept->bdf = bdf;
	kept->used = true;
	return kept;
}

const MsiDevice *MsiTable::find(const Bdf &bdf) const
{
	for (const auto &d : devs_)
		if (d && d->used && d->bdf == bdf)
			return d.get();
	return nullptr;
}

int MsiTable::active() const
{
	int n = 0;
	for (const auto &d : devs_)
		n += d && d->used && d->state.mode() != MsiMode::Off;
	return n;
}

bool MsiTable::held_elsewhere(const MsiDevice &self, uint32_t pirq) const
{
	for (const auto &d : devs_) {
		if (!d || !d->used || d.get() == &self)
			continue;
		for (int i = 0; i < d->state.nvec(); i++)
			if (d->pirqs[i] == pirq)
				return true;
	}
	return false;
}

} // namespace pcifront
