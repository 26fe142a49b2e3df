// SPDX-License-Identifier: GPL-2.0
// Which functions the PCI core may scan: a function whose header type is none the core knows
// (0 normal, 1 bridge, 2 CardBus) is answered "no device" at the vendor-ID read that starts its
// scan, before the core allocates anything for it. Linux 6.1's pci_scan_device() names the
// pci_dev (dev_set_name()) before it looks at the header type, and on an unknown type frees the
// pci_dev with kfree() instead of put_device(): the name leaks, once per such function and scan.
// Only a broken or hostile backend exports one; no Linux driver could bind it anyway.
//
// The owner asks vet_needed() at each read of offset 0; for a function not yet vetted it reads
// the header type byte from the backend and hands it to vet(). A failed header read vets
// nothing (the core, reading it itself, would skip the function; the next scan asks again). The
// owner clears the table with its config cache: on connect and on every Reconfiguring round.
// Portable: built unchanged for the kernel and for the host tests. Not locked: its owner holds
// the op lock.
#pragma once

#include "lib/pciif.hpp"

namespace pcifront
{

class HeaderVet
{
      public:
	static constexpr int kDevices = 32;
	static constexpr int kHeaderTypeReg = 0x0e; // PCI_HEADER_TYPE
	static constexpr uint8_t kLayoutMask = 0x7f; // without the multi-function bit
	static constexpr uint8_t kLastKnownLayout = 2; // PCI_HEADER_TYPE_CARDBUS

	// A read of @size bytes at @where of @bdf: true when it starts a scan of a function not
	// vetted yet. A full table vets nothing more: such reads go through unchecked, as without
	// the vet (more than kDevices functions on one frontend's buses).
	bool vet_needed(const Bdf &bdf, int where) const
	{
		return where == 0 && !find(bdf) && used_ < kDevices;
	}
	// True when @bdf was vetted and hidden: its vendor-ID reads answer "no device".
	bool hidden(const Bdf &bdf) const
	{
		const Entry *e = find(bdf);
		return e && e->hidden;
	}
	// The backend's header type byte for @bdf: true when the core may scan the function.
	bool vet(const Bdf &bdf, uint32_t header)
	{
		const bool ok = (header & kLayoutMask) <= kLastKnownLayout;
		if (!find(bdf) && used_ < kDevices) {
			entries_[used_].bdf = bdf;
			entries_[used_].hidden = !ok;
			++used_;
			if (!ok)
				++hidden_count_;
		}
		return ok;
	}
	void clear()
	{
		used_ = 0;
	}
	uint64_t hidden_count() const { return hidden_count_; } // functions hidden, all time

      private:
	struct Entry {
		Bdf bdf;
		bool hidden = false;
	};
	const Entry *find(const Bdf &bdf) const
	{
		for (int i = 0; i < used_; ++i)
			if (entries_[i].bdf == bdf)
				return &entries_[i];
		return nullptr;
	}

	int used_ = 0;
	uint64_t hidden_count_ = 0;
	Entry entries_[kDevices];
};

} // namespace pcifront
