// SPDX-License-Identifier: GPL-2.0
// Which functions the PCI core may scan (lib/header_vet.hpp): a header type the core does not
// know hides the function at its vendor-ID read, before the core allocates a pci_dev for it.
#include <gtest/gtest.h>

#include "lib/header_vet.hpp"

using namespace pcifront;

namespace
{
Bdf fn(unsigned int devfn) { return Bdf{0, 0, devfn}; }
} // namespace

TEST(HeaderVet, OnlyTheVendorReadOfAnUnvettedFunctionAsks)
{
	HeaderVet v;
	EXPECT_TRUE(v.vet_needed(fn(8), 0));
	EXPECT_FALSE(v.vet_needed(fn(8), 2)); // the device ID alone
	EXPECT_FALSE(v.vet_needed(fn(8), 0x0e));
	EXPECT_TRUE(v.vet(fn(8), 0x00));
	EXPECT_FALSE(v.vet_needed(fn(8), 0)); // vetted: no second header read
	EXPECT_TRUE(v.vet_needed(fn(9), 0));
}

TEST(HeaderVet, KnownLayoutsPassWithOrWithoutTheMultiFunctionBit)
{
	HeaderVet v;
	const uint32_t known[] = {0x00, 0x01, 0x02, 0x80, 0x81, 0x82};
	unsigned int devfn = 0;
	for (uint32_t h : known) {
		EXPECT_TRUE(v.vet(fn(devfn), h)) << std::hex << h;
		EXPECT_FALSE(v.hidden(fn(devfn)));
		++devfn;
	}
	EXPECT_EQ(v.hidden_count(), 0u);
}

TEST(HeaderVet, AnUnknownLayoutIsHiddenUntilCleared)
{
	HeaderVet v;
	const uint32_t unknown[] = {0x03, 0x7f, 0x83, 0xff, 0x40};
	unsigned int devfn = 0;
	for (uint32_t h : unknown) {
		EXPECT_FALSE(v.vet(fn(devfn), h)) << std::hex << h;
		EXPECT_TRUE(v.hidden(fn(devfn)));
		EXPECT_FALSE(v.vet_needed(fn(devfn), 0));
		++devfn;
	}
	EXPECT_EQ(v.hidden_count(), 5u);
	EXPECT_FALSE(v.hidden(fn(100)));
	// A new connection or a hotplug round: the address may hold another function now.
	v.clear();
	EXPECT_FALSE(v.hidden(fn(0)));
	EXPECT_TRUE(v.vet_needed(fn(0), 0));
	EXPECT_TRUE(v.vet(fn(0), 0x00));
	EXPECT_EQ(v.hidden_count(), 5u); // all time
}

TEST(HeaderVet, SameAddressOnAnotherSegmentOrBusIsAnotherFunction)
{
	HeaderVet v;
	EXPECT_FALSE(v.vet(Bdf{0, 0, 8}, 0x05));
	EXPECT_FALSE(v.hidden(Bdf{1, 0, 8}));
	EXPECT_FALSE(v.hidden(Bdf{0, 1, 8}));
	EXPECT_TRUE(v.vet_needed(Bdf{0, 1, 8}, 0));
}

TEST(HeaderVet, AFullTableStopsVettingButKeepsWhatItHid)
{
	HeaderVet v;
	EXPECT_FALSE(v.vet(fn(0), 0x7f));
	for (unsigned int d = 1; d < HeaderVet::kDevices; ++d)
		EXPECT_TRUE(v.vet(fn(d), 0x00));
	EXPECT_FALSE(v.vet_needed(fn(200), 0)); // no room: the read goes through unchecked
	EXPECT_FALSE(v.vet(fn(200), 0x7f));    // still judged, just not kept
	EXPECT_FALSE(v.hidden(fn(200)));
	EXPECT_TRUE(v.hidden(fn(0)));
	EXPECT_EQ(v.hidden_count(), 1u);
}
