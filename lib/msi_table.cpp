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

MsiDevice *MsiTable::lookup(const Bdf &bdf, bool create)
{
	MsiDevice *free_slot = nullptr;
	for (auto &d : devs_) {
		if (d.used && d.bdf == bdf)
			return &d;
		if (!d.used && !free_slot)
			free_slot = &d;
	}
	if (!create || !free_slot)
		return nullptr;
	*free_slot = MsiDevice();
	free_slot->bdf = bdf;
	free_slot->used = true;
	return free_slot;
}

const MsiDevice *MsiTable::find(const Bdf &bdf) const
{
	for (const auto &d : devs_)
		if (d.used && d.bdf == bdf)
			return &d;
	return nullptr;
}

int MsiTable::active() const
{
	int n = 0;
	for (const auto &d : devs_)
		n += d.used && d.state.mode() != MsiMode::Off;
	return n;
}

bool MsiTable::held_elsewhere(const MsiDevice &self, uint32_t pirq) const
{
	for (const auto &d : devs_) {
		if (!d.used || &d == &self)
			continue;
		for (int i = 0; i < d.state.nvec(); i++)
			if (d.pirqs[i] == pirq)
				return true;
	}
	return false;
}

} // namespace pcifront
