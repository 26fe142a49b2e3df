// SPDX-License-Identifier: GPL-2.0
// The read-only register cache (lib/config_cache.hpp): what it keeps, what it serves, what makes
// it forget, and that a served value is always what the device would have answered.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "lib/config_cache.hpp"

using namespace pcifront;

namespace
{

const Bdf kNic{0, 0, devfn(2, 0)};

// A device's config space, and reads/writes of it through the cache as the frontend does them.
struct Dev {
	uint8_t cfg[256] = {};
	int backend_reads = 0;
	Dev()
	{
		put(0x00, 0x100e8086, 4); // e1000
		put(0x08, 0x02000003, 4); // class 0x020000, revision 3
		put(0x0e, 0x00, 1);       // header type 0
		put(0x34, 0x40, 1);       // capability pointer
		put(0x40, 0x5001, 2);     // PM, next 0x50
		put(0x42, 0xc823, 2);     // PM capabilities (not a header)
		put(0x50, 0x0005, 2);     // MSI, end of the chain
		put(0x52, 0x0080, 2);     // MSI control: changes with writes
	}
	void put(int at, uint32_t v, int size) { std::memcpy(&cfg[at], &v, size); }
	uint32_t get(int at, int size) const
	{
		uint32_t v = 0;
		std::memcpy(&v, &cfg[at], size);
		return v;
	}
	uint32_t read(ConfigCache &c, int at, int size)
	{
		uint32_t v;
		if (c.lookup(kNic, at, size, &v))
			return v;
		++backend_reads;
		v = get(at, size);
		c.fill(kNic, at, size, v);
		return v;
	}
	void write(ConfigCache &c, int at, int size, uint32_t v)
	{
		c.on_write(kNic, at, size);
		put(at, v, size);
	}
};

// What pci_find_capability() reads: the pointer, then each header as a word.
int find_cap(Dev &d, ConfigCache &c, uint8_t id)
{
	int pos = d.read(c, 0x34, 1) & 0xfc;
	for (int ttl = 48; pos >= 0x40 && ttl; --ttl) {
		const uint32_t ent = d.read(c, pos, 2);
		if ((ent & 0xff) == id)
			return pos;
		pos = (ent >> 8) & 0xfc;
	}
	return 0;
}

} // namespace

TEST(ConfigCache, ClassIsKeptAndServedInAnyWidth)
{
	Dev d;
	ConfigCache c;
	EXPECT_EQ(d.read(c, 0x08, 4), 0x02000003u);
	EXPECT_EQ(d.read(c, 0x0b, 1), 0x02u);
	EXPECT_EQ(d.read(c, 0x0a, 2), 0x0200u);
	EXPECT_EQ(d.read(c, 0x08, 1), 0x03u);
	EXPECT_EQ(d.backend_reads, 1);
	EXPECT_EQ(c.stats().hits, 3u);
}

// Issue 18.6: vendor and device ID are how pci_device_is_present() and drivers (nvme, Intel
// NICs) learn that a device has gone; they must reach the backend every time.
TEST(ConfigCache, PresenceReadsAlwaysReachTheBackend)
{
	Dev d;
	ConfigCache c;
	EXPECT_EQ(d.read(c, 0x00, 4), 0x100e8086u);
	EXPECT_EQ(d.read(c, 0x00, 2), 0x8086u);
	EXPECT_EQ(d.read(c, 0x02, 2), 0x100eu);
	EXPECT_EQ(d.backend_reads, 3);
	// The device falls off the bus in dom0: the next presence read sees all-ones.
	d.put(0x00, 0xffffffff, 4);
	EXPECT_EQ(d.read(c, 0x00, 4), 0xffffffffu);
	EXPECT_EQ(c.stats().hits, 0u);
}

TEST(ConfigCache, AbsentDeviceAndVolatileRegistersAreNotKept)
{
	Dev d;
	d.put(0x00, 0xffffffff, 4);
	ConfigCache c;
	d.read(c, 0x00, 4);
	d.read(c, 0x00, 4);
	d.read(c, 0x04, 4); // command and status
	d.read(c, 0x04, 4);
	d.read(c, 0x10, 4); // a BAR
	d.read(c, 0x10, 4);
	EXPECT_EQ(d.backend_reads, 6);
	EXPECT_EQ(c.stats().hits, 0u);
}

TEST(ConfigCache, CapabilityWalkIsServedAfterTheFirst)
{
	Dev d;
	ConfigCache c;
	d.read(c, 0x0e, 1); // the PCI core reads the header type first
	EXPECT_EQ(find_cap(d, c, 0x05), 0x50);
	const int first = d.backend_reads;
	EXPECT_EQ(first, 4); // header type, pointer, two headers
	EXPECT_EQ(find_cap(d, c, 0x05), 0x50);
	EXPECT_EQ(find_cap(d, c, 0x01), 0x40);
	EXPECT_EQ(find_cap(d, c, 0x10), 0); // not there: the whole chain, from the cache
	EXPECT_EQ(d.backend_reads, first);
	// A header's bytes alone, yes; the dword with the capability's own registers, no.
	EXPECT_EQ(d.read(c, 0x51, 1), 0x00u);
	EXPECT_EQ(d.read(c, 0x50, 4), 0x00800005u);
	EXPECT_EQ(d.backend_reads, first + 1);
}

TEST(ConfigCache, PointerNeedsAKnownType0Or1Header)
{
	Dev d;
	ConfigCache c;
	d.read(c, 0x34, 1); // header type not known yet
	d.read(c, 0x34, 1);
	EXPECT_EQ(d.backend_reads, 2);
	Dev cardbus;
	cardbus.put(0x0e, 0x02, 1); // type 2: 0x34 is not the capability pointer
	ConfigCache c2;
	cardbus.read(c2, 0x0e, 1);
	cardbus.read(c2, 0x34, 1);
	cardbus.read(c2, 0x34, 1);
	EXPECT_EQ(cardbus.backend_reads, 3);
}

TEST(ConfigCache, WritesForgetWhatTheyMightChange)
{
	Dev d;
	ConfigCache c;
	d.read(c, 0x00, 4);
	d.read(c, 0x0e, 1);
	find_cap(d, c, 0x05);
	const int warm = d.backend_reads;
	// Command register and BAR sizing: nothing kept there, nothing forgotten.
	d.write(c, 0x04, 2, 0x0007);
	d.write(c, 0x10, 4, 0xffffffff);
	find_cap(d, c, 0x05);
	d.read(c, 0x0e, 1);
	EXPECT_EQ(d.backend_reads, warm);
	EXPECT_EQ(c.stats().forgets, 0u);
	// In the capability area (an FLR, a PM reset, MSI enable): the device is read anew.
	d.write(c, 0x52, 2, 0x0081);
	EXPECT_EQ(c.stats().forgets, 1u);
	d.read(c, 0x0e, 1);
	EXPECT_EQ(d.backend_reads, warm + 1);
	// Onto a kept register (writes there do nothing on real hardware; the cache does not care).
	d.write(c, 0x0a, 2, 0x1234);
	EXPECT_EQ(d.read(c, 0x08, 4), 0x12340003u);
}

TEST(ConfigCache, LoopingChainAndFullTableAreBounded)
{
	Dev d;
	d.put(0x50, 0x4005, 2); // MSI points back to PM: a loop
	ConfigCache c;
	d.read(c, 0x0e, 1);
	EXPECT_EQ(find_cap(d, c, 0x10), 0); // find_cap's own TTL ends it
	EXPECT_EQ(d.backend_reads, 4);      // and every header came from the cache after once
	ConfigCache full;
	uint32_t v;
	for (uint32_t i = 0; i < ConfigCache::kDevices + 1; ++i)
		full.fill(Bdf{0, 1, i}, 8, 4, 0x12345678);
	EXPECT_TRUE(full.lookup(Bdf{0, 1, ConfigCache::kDevices - 1}, 8, 4, &v));
	EXPECT_FALSE(full.lookup(Bdf{0, 1, ConfigCache::kDevices}, 8, 4, &v));
	full.clear();
	EXPECT_FALSE(full.lookup(Bdf{0, 1, 0}, 8, 4, &v));
}

// Random reads and writes of every width: a value the cache serves is always the device's
// current one, writes applied literally (even onto "read-only" registers).
TEST(ConfigCache, ServedValuesAlwaysMatchTheDevice)
{
	std::mt19937 rng(1234);
	for (int run = 0; run < 200; ++run) {
		Dev d;
		ConfigCache c;
		for (int op = 0; op < 400; ++op) {
			const int size = 1 << (rng() % 3);
			const int at = static_cast<int>(rng() % (256 / size)) * size;
			if (rng() % 8 == 0) {
				d.write(c, at, size, static_cast<uint32_t>(rng()));
			} else {
				uint32_t v;
				if (c.lookup(kNic, at, size, &v))
					ASSERT_EQ(v, d.get(at, size)) << "run " << run << " op " << op << " at " << at;
				else
					c.fill(kNic, at, size, d.get(at, size));
			}
		}
	}
}
