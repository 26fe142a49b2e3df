// SPDX-License-Identifier: GPL-2.0
// RootBuses on the host: the real pcifront/root_buses.cpp over a fake PCI core (fake_pci) and
// a keyed fake xenstore: roots read and checked, buses made and scanned, BARs claimed, removal.
#include <gtest/gtest.h>

#include <string>

#include "config_space.hpp"
#include "connection.hpp"
#include "fake_kernel.hpp"
#include "fake_pci.hpp"
#include "fake_xen.hpp"
#include "host_runtime.hpp"
#include "root_buses.hpp"

// The glue's pci_ops, which the fake core only passes along.
extern "C" {
struct pci_ops {
	int unused;
};
struct pci_ops xpf_pci_ops;
}

using namespace pcifront;

namespace
{

xen::IrqReturn no_handler(int, void *)
{
	return xen::kIrqHandled;
}

struct RootBusesTest : ::testing::Test {
	int xdev_storage = 0;
	xen::XenbusDevice xdev{reinterpret_cast<struct xenbus_device *>(&xdev_storage)};
	struct device *ours = reinterpret_cast<struct device *>(&xdev_storage);
	Connection conn{xdev, no_handler, nullptr};
	Aer aer{conn, xdev};
	ConfigSpace cs{conn, xdev, aer};

	int allocs = 0;

	void SetUp() override
	{
		fake.reset();
		fxen.reset();
		fpci.reset();
		allocs = host_allocs_live;
	}
	void TearDown() override
	{
		EXPECT_EQ(fpci.rescan_locks, 0) << "the rescan lock left held";
		EXPECT_EQ(host_allocs_live, allocs) << "memory left behind";
	}
	void roots(int n)
	{
		fake.store["root_num"] = std::to_string(n);
		for (int i = 0; i < n; ++i) {
			char v[16];
			std::snprintf(v, sizeof(v), "%04x:%02x", i / 256, i % 256);
			fake.store["root-" + std::to_string(i)] = v;
		}
	}
	void present(int domain, unsigned int bus, unsigned int devfn)
	{
		fpci.present.emplace_back(domain, bus, devfn);
	}
};

TEST_F(RootBusesTest, EveryListedRootIsMadeScannedAndItsBarsClaimed)
{
	roots(2);
	present(0, 0, devfn(5, 0));
	present(0, 1, devfn(0, 1)); // a function 1 alone: only the per-devfn probe finds it
	RootBuses rb{xdev, cs};
	ASSERT_TRUE(rb.scan(nullptr).ok());
	EXPECT_EQ(rb.count(), 2);
	ASSERT_EQ(fpci.live_buses(), 2);
	for (const auto &b : fpci.buses) {
		EXPECT_EQ(b.f.parent, ours);
		EXPECT_EQ(b.owner, &cs); // pci_ops find the config space through the bus
	}
	for (auto *d : {fpci.dev(0, 0, devfn(5, 0)), fpci.dev(0, 1, devfn(0, 1))}) {
		ASSERT_NE(d, nullptr);
		EXPECT_TRUE(d->claimed);
		EXPECT_TRUE(d->added);
	}
	EXPECT_EQ(fpci.rescan_locks, 0);
	EXPECT_EQ(RootBuses::live(), 2);
	// A second scan (a hotplug round) makes no bus twice.
	ASSERT_TRUE(rb.scan(nullptr).ok());
	EXPECT_EQ(fpci.live_buses(), 2);
	rb.remove_all();
	EXPECT_EQ(fpci.live_buses(), 0);
	EXPECT_EQ(fpci.removed, (std::vector<std::string>{"0000:01", "0000:00"}));
	EXPECT_EQ(RootBuses::live(), 0);
	rb.remove_all(); // idempotent
	EXPECT_EQ(fpci.removed.size(), 2u);
}

TEST_F(RootBusesTest, NoRootNumMeansTheOneRootZero)
{
	fake.store["num_devs"] = "1"; // a store without root_num
	present(0, 0, devfn(5, 0));
	RootBuses rb{xdev, cs};
	ASSERT_TRUE(rb.scan(nullptr).ok());
	EXPECT_EQ(rb.count(), 1);
	EXPECT_TRUE(fxen.logged("backend lists no root_num: using 0000:00"));
}

// pciback in passthrough mode makes a root per bus of the devices it exports: the in-tree
// frontend accepts any number. Every root up to the device list's bound is made, the first
// sixteen inline, then all in one table; removal undoes them in reverse.
TEST_F(RootBusesTest, MoreThanSixteenRootsAreAllMade)
{
	const int n = 40;
	roots(n);
	for (int i = 0; i < n; ++i)
		present(0, static_cast<unsigned int>(i), devfn(0, 0));
	const int allocs = host_allocs_live;
	{
		RootBuses rb{xdev, cs};
		ASSERT_TRUE(rb.scan(nullptr).ok());
		EXPECT_EQ(rb.count(), n);
		EXPECT_EQ(fpci.live_buses(), n);
		EXPECT_TRUE(fxen.logged("40 root buses, more than the 16"));
		EXPECT_EQ(host_allocs_live, allocs + 1); // the table of every root
	}
	EXPECT_EQ(fpci.live_buses(), 0);
	ASSERT_EQ(fpci.removed.size(), static_cast<size_t>(n));
	EXPECT_EQ(fpci.removed.front(), "0000:27");
	EXPECT_EQ(fpci.removed.back(), "0000:00");
	EXPECT_EQ(host_allocs_live, allocs);
}

// The table of every root is allocated at the seventeenth: without memory the scan fails there,
// the sixteen made stay counted, and removal takes them all.
TEST_F(RootBusesTest, NoMemoryForTheTableFailsTheScanAndLeaksNothing)
{
	roots(17);
	const int allocs = host_allocs_live;
	{
		RootBuses rb{xdev, cs};
		host_fail_alloc_of_size = sizeof(struct pci_bus *) * RootBuses::kMax;
		EXPECT_EQ(rb.scan(nullptr).error(), -KCXX_ENOMEM);
		host_fail_alloc_of_size = 0;
		EXPECT_TRUE(fxen.logged("no memory for a table of more than 16 root buses"));
		EXPECT_EQ(rb.count(), 16);
		EXPECT_EQ(fpci.live_buses(), 16);
		// With memory again, a rescan makes the last one.
		ASSERT_TRUE(rb.scan(nullptr).ok());
		EXPECT_EQ(rb.count(), 17);
	}
	EXPECT_EQ(fpci.live_buses(), 0);
	EXPECT_EQ(host_allocs_live, allocs);
}

// root_num there but unreadable (dom0 changed its permissions, say): refused with a line of its
// own, as an unreadable root-N is.
TEST_F(RootBusesTest, AnUnreadableRootNumIsSaid)
{
	roots(1);
	RootBuses rb{xdev, cs};
	fake.read_error = 13;
	EXPECT_EQ(rb.scan(nullptr).error(), -KCXX_EACCES);
	fake.read_error = 0;
	EXPECT_TRUE(fxen.logged("root_num cannot be read (-13)"));
	EXPECT_EQ(fpci.live_buses(), 0);
}

// Each round may list other roots; the connection keeps every one it made, at most 256. A
// round that would make more is refused with a line that names the bound.
TEST_F(RootBusesTest, RootsPastTheBoundAcrossRoundsAreSaid)
{
	roots(RootBuses::kMax);
	{
		RootBuses rb{xdev, cs};
		ASSERT_TRUE(rb.scan(nullptr).ok());
		ASSERT_EQ(rb.count(), RootBuses::kMax);
		fake.store["root_num"] = "1";
		fake.store["root-0"] = "0001:00";
		EXPECT_EQ(rb.scan(nullptr).error(), -KCXX_ENOSPC);
		EXPECT_TRUE(fxen.logged("cannot make root bus 0001:00: this connection has 256 already"));
		EXPECT_EQ(rb.count(), RootBuses::kMax);
	}
	EXPECT_EQ(fpci.live_buses(), 0);
}

TEST_F(RootBusesTest, RootNumBeyondTheBoundIsRefused)
{
	roots(3);
	fake.store["root_num"] = "257";
	RootBuses rb{xdev, cs};
	EXPECT_FALSE(rb.scan(nullptr).ok());
	EXPECT_TRUE(fxen.logged("root_num is not a decimal count of at most 256"));
	EXPECT_EQ(fpci.live_buses(), 0);
	fake.store["root_num"] = "0x3";
	EXPECT_FALSE(rb.scan(nullptr).ok());
	EXPECT_EQ(fpci.live_buses(), 0);
}

TEST_F(RootBusesTest, ARootListedTwiceOrUnreadableIsRefused)
{
	roots(2);
	fake.store["root-1"] = "0000:00";
	RootBuses rb{xdev, cs};
	EXPECT_EQ(rb.scan(nullptr).error(), -KCXX_EINVAL);
	EXPECT_TRUE(fxen.logged("backend lists root 0000:00 twice"));
	fake.store.erase("root-1");
	EXPECT_EQ(rb.scan(nullptr).error(), -KCXX_ENOENT);
	EXPECT_TRUE(fxen.logged("backend lists 2 roots but backend/pci/1/0/root-1 cannot be read"));
	fake.store["root-1"] = "0000:100";
	EXPECT_FALSE(rb.scan(nullptr).ok());
	EXPECT_TRUE(fxen.logged("backend's root-1 is not \"segment:bus\""));
	EXPECT_EQ(fpci.live_buses(), 0);
}

TEST_F(RootBusesTest, ABusSomeoneElseMadeIsNotTaken)
{
	roots(1);
	int other = 0;
	fpci.foreign_bus(0, 0, reinterpret_cast<struct device *>(&other));
	RootBuses rb{xdev, cs};
	EXPECT_EQ(rb.scan(nullptr).error(), -KCXX_EEXIST);
	EXPECT_TRUE(fxen.logged("PCI bus 0000:00 already exists and is not ours"));
	EXPECT_EQ(rb.count(), 0);
	rb.remove_all();
	EXPECT_TRUE(fpci.removed.empty()); // the foreign bus stays
}

TEST_F(RootBusesTest, ABarThatCannotBeClaimedIsNamedAndTheScanGoesOn)
{
	roots(1);
	present(0, 0, devfn(5, 0));
	present(0, 0, devfn(6, 0));
	fpci.fail_claim = 16; // EBUSY
	RootBuses rb{xdev, cs};
	ASSERT_TRUE(rb.scan(nullptr).ok());
	EXPECT_TRUE(fxen.logged("BAR 0 [0xf0000000, 131072 bytes] cannot be claimed (-16)"));
	EXPECT_TRUE(fpci.dev(0, 0, devfn(6, 0))->added);
}

TEST_F(RootBusesTest, DevicesAreRefusedWithoutXenSwiotlb)
{
	RootBuses rb{xdev, cs};
	EXPECT_TRUE(rb.dma_ready());
	fpci.dma_ready = false;
	fake.store = {{"root_num", "1"}}; // and no `target`: not a device-model stubdomain
	EXPECT_FALSE(rb.dma_ready());
	EXPECT_TRUE(fxen.logged("Add e820_host=1 to the domain's config"));
}

TEST_F(RootBusesTest, OwnsOnlyItsOwnBuses)
{
	roots(1);
	int other = 0;
	FakeBus &foreign = fpci.foreign_bus(0, 9, reinterpret_cast<struct device *>(&other));
	RootBuses rb{xdev, cs};
	ASSERT_TRUE(rb.scan(nullptr).ok());
	EXPECT_TRUE(rb.owns(reinterpret_cast<struct pci_bus *>(&fpci.buses.back())));
	EXPECT_FALSE(rb.owns(reinterpret_cast<struct pci_bus *>(&foreign)));
}

} // namespace
