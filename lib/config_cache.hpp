// SPDX-License-Identifier: GPL-2.0
// The registers of a device's configuration space that cannot change while it stays attached,
// kept per device so that the PCI core's repeated reads of them cost no round trip to dom0:
// revision and class, header type, the capability pointer and each capability's ID and next
// pointer (found by following the chain as the reads walk it). Vendor and device ID are never
// kept: they are how the kernel and drivers ask whether the device is still there
// (pci_device_is_present(), nvme's and Intel NICs' all-ones checks), so a device that fell off
// the bus or went bad in dom0 must read as all-ones at once, through the backend.
// pci_find_capability() reads the pointer and every header again on each call, and the core and
// drivers call it dozens of times per device.
//
// Only what a read fully covered is kept, and only from successful replies. A write that touches
// a kept register, or any write at 0x40 or above (where a reset is asked for: PCIe FLR, PM
// D3hot->D0), forgets the device. The owner clears everything on reconnect and on every
// Reconfiguring round (hotplug), so a device that comes back at the same address is read anew.
// Portable: built unchanged for the kernel and for the host tests. Not locked: its owner holds
// the op lock.
#pragma once

#include "lib/pciif.hpp"

namespace pcifront
{

struct ConfigCacheStats {
	uint64_t hits = 0;    // reads answered from the cache
	uint64_t fills = 0;   // registers kept
	uint64_t forgets = 0; // devices forgotten on a write
};

class ConfigCache
{
      public:
	static constexpr int kDevices = 32;
	static constexpr int kCaps = 16; // capability headers per device
	static constexpr int kCapStart = 0x40;

	// A read of @size bytes at @where: true with *@val when the cache holds all of it.
	bool lookup(const Bdf &bdf, int where, int size, uint32_t *val)
	{
		const Entry *e = find(bdf);
		if (!e)
			return false;
		for (int i = 0; i < e->nregs; ++i) {
			const Region &r = e->regs[i];
			if (!r.valid || where < r.start || where + size > r.start + r.len)
				continue;
			*val = extract(r.value, where - r.start, size);
			++stats_.hits;
			return true;
		}
		return false;
	}

	// The backend answered a read of @size bytes at @where with @val.
	void fill(const Bdf &bdf, int where, int size, uint32_t val)
	{
		Entry *e = find_or_add(bdf);
		if (!e)
			return;
		if (covers(where, size, 8, 4))
			keep(&e->regs[kClass], extract(val, 8 - where, 4));
		if (covers(where, size, 0x0e, 1))
			keep(&e->regs[kHeader], extract(val, 0x0e - where, 1));
		// The capability pointer sits at 0x34 only in type 0 and type 1 headers.
		const Region &hdr = e->regs[kHeader];
		if (covers(where, size, 0x34, 1) && hdr.valid && (hdr.value & 0x7f) <= 1) {
			keep(&e->regs[kCapPtr], extract(val, 0x34 - where, 1));
			learn_cap(e, e->regs[kCapPtr].value);
		}
		for (int i = kFixed; i < e->nregs; ++i) {
			Region &c = e->regs[i];
			if (!c.valid && covers(where, size, c.start, 2)) {
				keep(&c, extract(val, c.start - where, 2));
				learn_cap(e, c.value >> 8);
			}
		}
	}

	// A write of @size bytes at @where is about to go to the device.
	void on_write(const Bdf &bdf, int where, int size)
	{
		Entry *e = find(bdf);
		if (!e)
			return;
		bool touches = where + size > kCapStart;
		for (int i = 0; i < e->nregs; ++i) {
			const Region &r = e->regs[i];
			touches = touches || (r.valid && where < r.start + r.len && r.start < where + size);
		}
		if (!touches)
			return;
		*e = Entry{};
		e->used = true;
		e->bdf = bdf;
		++stats_.forgets;
	}

	void clear()
	{
		for (Entry &e : entries_)
			e = Entry{};
	}

	const ConfigCacheStats &stats() const { return stats_; }

      private:
	struct Region {
		uint8_t start = 0;
		uint8_t len = 0;
		bool valid = false;
		uint32_t value = 0;
	};
	// The fixed registers first, at these indices, then the capability headers found.
	enum { kIds, kClass, kHeader, kCapPtr, kFixed };
	struct Entry {
		bool used = false;
		Bdf bdf;
		Region regs[kFixed + kCaps] = {{0x00, 4}, {0x08, 4}, {0x0e, 1}, {0x34, 1}};
		int nregs = kFixed;
	};

	// [start, start+len) lies inside the read [where, where+size).
	static bool covers(int where, int size, int start, int len)
	{
		return where <= start && start + len <= where + size;
	}
	// @size bytes at byte @at of a little-endian dword.
	static uint32_t extract(uint32_t v, int at, int size)
	{
		const uint32_t shifted = v >> (8 * at);
		return size >= 4 ? shifted : shifted & ((1u << (8 * size)) - 1);
	}
	void keep(Region *r, uint32_t value)
	{
		r->value = value;
		r->valid = true;
		++stats_.fills;
	}
	// A capability header at @ptr (low two bits reserved), if it is one: in the device-specific
	// part, not yet known, and room left (a looping chain ends there).
	static void learn_cap(Entry *e, uint32_t ptr)
	{
		ptr &= 0xfc;
		if (ptr < kCapStart || e->nregs >= kFixed + kCaps)
			return;
		for (int i = kFixed; i < e->nregs; ++i)
			if (e->regs[i].start == ptr)
				return;
		Region &r = e->regs[e->nregs++];
		r = Region{};
		r.start = static_cast<uint8_t>(ptr);
		r.len = 2;
	}
	Entry *find(const Bdf &bdf)
	{
		for (Entry &e : entries_)
			if (e.used && e.bdf == bdf)
				return &e;
		return nullptr;
	}
	Entry *find_or_add(const Bdf &bdf)
	{
		if (Entry *e = find(bdf))
			return e;
		for (Entry &e : entries_)
			if (!e.used) {
				e.used = true;
				e.bdf = bdf;
				return &e;
			}
		return nullptr; // full: that device's reads all go to the backend
	}

	Entry entries_[kDevices];
	ConfigCacheStats stats_;
};

} // namespace pcifront
