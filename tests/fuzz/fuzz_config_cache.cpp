// SPDX-License-Identifier: GPL-2.0
// libFuzzer target: the read-only register cache (lib/config_cache.hpp) against devices whose
// every config byte the backend chose. The input gives the devices' config space, then a
// sequence of reads of every width (some failing, never filled, as the frontend does), writes
// applied literally (one into the capability area may reset the device), changes the device makes
// by itself to registers the cache may not assume constant, and reconnects. A value the cache
// serves must always be the device's current one. 40 addresses share the cache's 32 entries, so a
// full table is reached too.
#include "fuzz_common.hpp"
#include "lib/config_cache.hpp"

using namespace pcifront;

namespace
{

constexpr int kAddrs = 40;

struct Device {
	uint8_t cfg[256];

	uint32_t get(int at, int size) const
	{
		uint32_t v = 0;
		std::memcpy(&v, &cfg[at], size);
		return v;
	}
	// The registers that change only through writes: IDs, revision and class, header type, and
	// (type 0 and 1 headers) the capability pointer and every header on the chain it starts.
	// Everything else (status, device-specific registers, capability bodies) the device may
	// change at any time.
	bool fixed(int at) const
	{
		if (at < 4 || (at >= 8 && at < 12) || at == 0x0e)
			return true;
		if ((cfg[0x0e] & 0x7f) > 1)
			return false;
		if (at == 0x34)
			return true;
		int pos = cfg[0x34] & 0xfc;
		for (int ttl = 48; pos >= ConfigCache::kCapStart && ttl; --ttl) {
			if (at == pos || at == pos + 1)
				return true;
			pos = cfg[pos + 1] & 0xfc;
		}
		return false;
	}
};

Bdf addr(int i)
{
	return Bdf{0, static_cast<uint8_t>(i / 32), static_cast<uint8_t>((i % 32) << 3)};
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ByteSource in{data, size};
	// One config space from the input, told apart per address by its device ID.
	static Device devs[kAddrs];
	in.bytes(devs[0].cfg, sizeof(devs[0].cfg));
	for (int i = 1; i < kAddrs; ++i) {
		devs[i] = devs[0];
		devs[i].cfg[2] ^= static_cast<uint8_t>(i);
	}
	ConfigCache cache;
	uint64_t served = 0;
	while (!in.empty()) {
		const uint8_t kind = in.u8();
		const int i = in.u8() % kAddrs;
		Device &d = devs[i];
		const int sz = 1 << (in.u8() % 3);
		const int at = (in.u8() & 0xff) & ~(sz - 1);
		switch (kind % 8) {
		case 0:
		case 1:
		case 2:
		case 3:
		case 4: {
			uint32_t v = 0;
			if (cache.lookup(addr(i), at, sz, &v)) {
				++served;
				FUZZ_CHECK(v == d.get(at, sz));
			} else if (kind & 0x80) {
				// The backend refused the read: nothing reaches the cache.
			} else {
				cache.fill(addr(i), at, sz, d.get(at, sz));
			}
			break;
		}
		case 5: {
			const uint32_t v = in.u32();
			cache.on_write(addr(i), at, sz);
			std::memcpy(&d.cfg[at], &v, sz);
			// A write into the capability area can ask for a reset (PCIe FLR, PM D3hot
			// to D0), after which the device may come back as anything, even its IDs.
			if ((kind & 0x80) && at + sz > ConfigCache::kCapStart)
				for (int n = in.u8() % 8; n > 0; --n)
					d.cfg[in.u8()] = in.u8();
			break;
		}
		case 6:
			// The device changes a register by itself: never one of the fixed ones.
			if (!d.fixed(at))
				d.cfg[at] = in.u8();
			break;
		case 7:
			if (kind & 0x80)
				cache.clear(); // reconnect or hotplug round
			break;
		}
	}
	FUZZ_CHECK(cache.stats().hits == served);
	fuzz_no_bad_errno();
	return 0;
}
