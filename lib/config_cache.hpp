// SPDX-License-Identifier: GPL-2.0
// The registers of a device's configuration space that cannot change while it stays attached,
// kept per device so that the PCI core's repeated reads of them cost no round trip to dom0:
// vendor and device ID, revision and class, header type, the capability pointer and each
// capability's ID and next pointer (found by following the chain as the reads walk it).
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
		for (const Region &r : regions(*e)) {
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
		if (covers(where, size, 0, 4)) {
			const uint32_t ids = extract(val, 0 - where, 4);
			const uint16_t vendor = ids & 0xffff;
			if (vendor != 0xffff && vendor != 0)
				keep(&e->ids, ids);
		}
		if (covers(where, size, 8, 4))
			keep(&e->cls, extract(val, 8 - where, 4));
		if (covers(where, size, 0x0e, 1))
			keep(&e->hdr, extract(val, 0x0e - where, 1));
		// The capability pointer sits at 0x34 only in type 0 and type 1 headers.
		if (covers(where, size, 0x34, 1) && e->hdr.valid && (e->hdr.value & 0x7f) <= 1) {
			keep(&e->capptr, extract(val, 0x34 - where, 1));
			learn_cap(e, e->capptr.value);
		}
		for (int i = 0; i < e->ncaps; ++i) {
			Region &c = e->caps[i];
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
		for (const Region &r : regions(*e))
			touches = touches || (r.valid && where < r.start + r.len && r.start < where + size);
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
	struct Entry {
		bool used = false;
		Bdf bdf;
		Region ids{0x00, 4};
		Region cls{0x08, 4};
		Region hdr{0x0e, 1};
		Region capptr{0x34, 1};
		Region caps[kCaps];
		int ncaps = 0;
	};
	// The regions of an entry, for range-for: the fixed ones, then the capability headers.
	class Regions
	{
	      public:
		Regions(const Entry &e) : e_(e) {}
		struct It {
			const Entry &e;
			int i;
			const Region &operator*() const
			{
				switch (i) {
				case 0: return e.ids;
				case 1: return e.cls;
				case 2: return e.hdr;
				case 3: return e.capptr;
				default: return e.caps[i - 4];
				}
			}
			It &operator++()
			{
				++i;
				return *this;
			}
			bool operator!=(const It &o) const { return i != o.i; }
		};
		It begin() const { return It{e_, 0}; }
		It end() const { return It{e_, 4 + e_.ncaps}; }

	      private:
		const Entry &e_;
	};
	static Regions regions(const Entry &e) { return Regions(e); }

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
		if (ptr < kCapStart || e->ncaps >= kCaps)
			return;
		for (int i = 0; i < e->ncaps; ++i)
			if (e->caps[i].start == ptr)
				return;
		Region &r = e->caps[e->ncaps++];
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
