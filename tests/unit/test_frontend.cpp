// SPDX-License-Identifier: GPL-2.0
// The real Frontend (pcifront/frontend.cpp) and the real hotplug module
// (xenbus-hotplug/hotplug.cpp) on the host, over the fake kernel, a fake PCI core whose scans
// read vendor IDs through the frontend's own config space, and a simulated pciback: the backend's
// states as the xenbus core reports them, then what the frontend did about each.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "config_space.hpp"
#include "fake_kernel.hpp"
#include "fake_pci.hpp"
#include "fake_xen.hpp"
#include "frontend.hpp"
#include "host_runtime.hpp"
#include "kcxx/evtchn.h"
#include "kcxx/pci.h"
#include "sim_backend.hpp"
#include "lib/log_limit.hpp"
#include "xpf/hotplug.h"
#include "xpf/msi.h"

extern "C" int xpf_hotplug_init(void);
extern "C" void xpf_hotplug_exit(void);

using namespace pcifront;

namespace
{

const Bdf kNic{0, 0, devfn(5, 0)};
const Bdf kNew{0, 0, devfn(6, 0)};

// A scan's look at a function, as pci_bus_read_dev_vendor_id() takes it: the vendor and device
// ID read as one dword through the bus's own config space; all ones, all zeros or either half
// so is no device.
bool probe(struct pci_bus *bus, unsigned int devfn)
{
	auto *cs = static_cast<ConfigSpace *>(kcxx_pci_bus_owner(bus));
	uint32_t v = 0;
	if (cs->conf_read(bus, devfn, 0, 4, &v) != 0)
		return false;
	return v != 0xffffffffu && v != 0 && v != 0x0000ffffu && v != 0xffff0000u;
}

struct FrontendTest : ::testing::Test {
	int xdev_storage = 0;
	struct xenbus_device *xdev = reinterpret_cast<struct xenbus_device *>(&xdev_storage);
	SimBackend sim;
	std::unique_ptr<Frontend> fe;
	int allocs = 0;

	void SetUp() override
	{
		fake.reset();
		fxen.reset();
		fpci.reset();
		fpci.probe = probe;
		fxen.backend = &sim;
		allocs = host_allocs_live;
		ASSERT_EQ(xpf_hotplug_init(), 0);
		sim.add_device(kNic, 0x8086, 0x100e);
		// pciback's keys: one root, the NIC exported and connected.
		one_device("4", "0000:00:05.0");
		fe = std::make_unique<Frontend>(xdev);
	}
	void TearDown() override
	{
		fe.reset();
		xpf_hotplug_exit();
		EXPECT_EQ(host_allocs_live, allocs) << "the frontend left memory behind";
		EXPECT_EQ(fxen.tracked, 0) << "a binding left in the book";
		EXPECT_EQ(fxen.msi_transport, nullptr) << "the MSI hook left pointing at us";
		EXPECT_TRUE(fxen.files.empty()) << "a debugfs file left";
		EXPECT_EQ(fpci.rescan_locks, 0);
		EXPECT_EQ(fpci.live_buses() - foreign_buses, 0) << "a root bus left";
	}
	int foreign_buses = 0; // made by the test itself
	int other_owner = 0;   // stands for another driver's device
	// pciback lists a second root, 0000:01, whose bus is another driver's: connect fails late.
	void second_root_taken()
	{
		fake.store["root_num"] = "2";
		fake.store["root-1"] = "0000:01";
		fpci.foreign_bus(0, 1, reinterpret_cast<struct device *>(&other_owner));
		++foreign_buses;
	}
	// pciback's directory: one root bus, one device in the list, in @state at @vdev.
	static void one_device(const char *state, const char *vdev)
	{
		fake.store = {{"root_num", "1"},
			      {"root-0", "0000:00"},
			      {"num_devs", "1"},
			      {"state-0", state},
			      {"vdev-0", vdev}};
	}
	// The backend reaches @be; the xenbus core tells the frontend.
	void backend(int be)
	{
		fxen.be_state = be;
		fe->otherend_changed(be);
	}
	void connect()
	{
		backend(XenbusStateInitWait);
		backend(XenbusStateConnected);
		ASSERT_EQ(fxen.ours, XenbusStateConnected);
	}
	// A reload whose connection the keeper held: the next load sees the backend in state @be,
	// and EVTCHNOP_status answers @peer for the kept channel; the keeper then takes a
	// connection back only if @keeper_takes_back.
	void reload_with_kept_connection(int peer, bool keeper_takes_back = true,
					 int be = XenbusStateConnected)
	{
		connect();
		fxen.keeper_takes = true;
		fe->remove();
		ASSERT_TRUE(fxen.kept);
		fe.reset();
		fxen.keeper_takes = keeper_takes_back;
		fxen.channel_peer = peer;
		fe = std::make_unique<Frontend>(xdev);
		backend(be);
	}
	FakeBus *root()
	{
		for (auto &b : fpci.buses)
			if (!b.removed)
				return &b;
		return nullptr;
	}
	uint32_t read(const Bdf &bdf, int where, int size)
	{
		FakeBus *b = root();
		if (!b) {
			ADD_FAILURE() << "no root bus to read through";
			return 0;
		}
		auto *bus = reinterpret_cast<struct pci_bus *>(b);
		uint32_t v = 0;
		EXPECT_EQ(static_cast<ConfigSpace *>(b->owner)->conf_read(bus, bdf.devfn, where,
									  size, &v),
			  0);
		return v;
	}
	bool live(const Bdf &bdf)
	{
		FakeDev *d = fpci.dev(static_cast<int>(bdf.domain), bdf.bus, bdf.devfn);
		return d && !d->removed;
	}
};

TEST_F(FrontendTest, PublishesOnInitWaitAndConnectsWithTheBackendsDevices)
{
	backend(XenbusStateInitWait);
	EXPECT_EQ(fxen.switches, (std::vector<int>{XenbusStateInitialised}));
	EXPECT_EQ(fake.count("write pci-op-ref"), 1);
	EXPECT_EQ(fake.count("write event-channel"), 1);
	EXPECT_NE(fxen.msi_transport, nullptr); // before any device: drivers enable MSI in probe
	EXPECT_EQ(fxen.tracked, 1);
	EXPECT_EQ(fpci.live_buses(), 0);
	backend(XenbusStateConnected);
	EXPECT_EQ(fxen.switches, (std::vector<int>{XenbusStateInitialised, XenbusStateConnected}));
	ASSERT_EQ(fpci.live_buses(), 1);
	EXPECT_TRUE(live(kNic));
	EXPECT_TRUE(fpci.dev(0, 0, kNic.devfn)->claimed);
	EXPECT_FALSE(live(kNew));
	EXPECT_EQ(read(kNic, 0, 4), 0x100e8086u);
	EXPECT_TRUE(fxen.logged("connected: 1 root bus"));
	EXPECT_NE(fxen.read_file("stats").find("hotplug_rounds 0"), std::string::npos);
	// A repeated Connected does nothing more.
	backend(XenbusStateConnected);
	EXPECT_EQ(fxen.switches.size(), 2u);
}

TEST_F(FrontendTest, ConnectedSeenFirstPublishesThenConnectsInOneCall)
{
	backend(XenbusStateConnected); // InitWait and Initialised coalesced by the watch
	EXPECT_EQ(fxen.switches, (std::vector<int>{XenbusStateInitialised, XenbusStateConnected}));
	EXPECT_TRUE(live(kNic));
}

TEST_F(FrontendTest, BackendClosingRemovesTheDevicesAndEverythingSetUp)
{
	connect();
	backend(XenbusStateClosing);
	EXPECT_EQ(fxen.ours, XenbusStateClosed);
	EXPECT_TRUE(fxen.logged("backend is going away"));
	EXPECT_EQ(fpci.live_buses(), 0);
	EXPECT_FALSE(live(kNic));
	EXPECT_EQ(fxen.msi_transport, nullptr);
	EXPECT_EQ(fxen.tracked, 0);
	EXPECT_EQ(fake.count("teardown_ring"), 1);
	EXPECT_EQ(fake.count("unbind"), 1);
	EXPECT_TRUE(fxen.files.count("stats") == 0);
	EXPECT_EQ(Frontend::live(), 1);
	EXPECT_EQ(RootBuses::live(), 0);
}

TEST_F(FrontendTest, AFailedPublishIsReportedAndUndone)
{
	fake.fail_alloc_evtchn = 28;
	backend(XenbusStateInitWait);
	ASSERT_EQ(fxen.fatals.size(), 1u);
	EXPECT_EQ(fxen.fatals[0], "-28 publishing the shared page and event channel");
	EXPECT_EQ(fake.count("teardown_ring"), 1); // the page granted before the channel failed
	EXPECT_EQ(fxen.msi_transport, nullptr);
	EXPECT_EQ(fxen.tracked, 0);
}

TEST_F(FrontendTest, ABadRootListRefusesTheConnectionAndUndoesIt)
{
	fake.store["root_num"] = "17x";
	backend(XenbusStateInitWait);
	backend(XenbusStateConnected);
	ASSERT_EQ(fxen.fatals.size(), 1u);
	EXPECT_EQ(fxen.fatals[0], "-22 connecting to pciback");
	EXPECT_NE(fxen.ours, XenbusStateConnected);
	EXPECT_EQ(fpci.live_buses(), 0);
	EXPECT_EQ(fxen.msi_transport, nullptr);
	EXPECT_EQ(fake.count("unbind"), 1);
	EXPECT_EQ(fake.count("teardown_ring"), 1);
	EXPECT_EQ(fxen.tracked, 0);
}

// A connect that fails after roots were made (the second root's bus is someone else's): the
// devices of the first go while we still say Initialised, not Closing, which pciback answers
// by unmapping the page their drivers' remove paths still send ops through.
static std::vector<int> states_at_removal;
static void record_state(const char *) { states_at_removal.push_back(fxen.ours); }

TEST_F(FrontendTest, AConnectThatFailsLateRemovesTheDevicesBeforeItSaysClosing)
{
	second_root_taken();
	states_at_removal.clear();
	fpci.on_remove_root = record_state;
	backend(XenbusStateInitWait);
	backend(XenbusStateConnected);
	ASSERT_EQ(fxen.fatals.size(), 1u);
	EXPECT_EQ(fxen.fatals[0], "-17 connecting to pciback");
	EXPECT_TRUE(fxen.logged("PCI bus 0000:01 already exists and is not ours"));
	EXPECT_FALSE(live(kNic));
	ASSERT_EQ(fpci.removed, std::vector<std::string>{"0000:00"});
	ASSERT_EQ(states_at_removal.size(), 1u);
	EXPECT_EQ(states_at_removal[0], XenbusStateInitialised);
	EXPECT_EQ(fxen.ours, XenbusStateClosing);
	EXPECT_EQ(fake.count("teardown_ring"), 1);
}

TEST_F(FrontendTest, WithoutXenSwiotlbTheConnectionStandsWithNoDevice)
{
	fpci.dma_ready = false;
	connect();
	EXPECT_EQ(fpci.live_buses(), 0);
	EXPECT_TRUE(fxen.logged("devices refused"));
	EXPECT_TRUE(fxen.fatals.empty());
}

// A device-model stubdomain (libxl's `target` key in our home) never has xen-swiotlb on 6.5+,
// and needs none: QEMU passes the devices to the HVM guest. They are added, with a line.
TEST_F(FrontendTest, AStubdomainWithoutXenSwiotlbAddsItsDevices)
{
	fpci.dma_ready = false;
	fake.store["target"] = "7";
	connect();
	EXPECT_TRUE(live(kNic));
	EXPECT_TRUE(fxen.logged("device-model stubdomain of domain 7"));
	EXPECT_FALSE(fxen.logged("devices refused"));
}

// ... and on 6.1 it does not set xen-swiotlb up (64 MiB of a small domain), so its failing
// there does not fail the connection.
TEST_F(FrontendTest, AStubdomainDoesNotSetXenSwiotlbUp)
{
	fxen.swiotlb_error = -12;
	fake.store["target"] = "7";
	connect();
	EXPECT_TRUE(live(kNic));
	EXPECT_FALSE(fxen.logged("cannot set up xen-swiotlb"));
}

// The role is read once per connection: a hot-attach in a stubdomain whose target key cannot
// be read at that moment still adds the device, instead of calling it a driver domain without
// xen-swiotlb and refusing it.
TEST_F(FrontendTest, AStubdomainKeepsItsRoleForTheConnection)
{
	fpci.dma_ready = false;
	fake.store["target"] = "7";
	connect();
	ASSERT_TRUE(live(kNic));
	fake.store["state-0"] = "5"; // detached
	backend(XenbusStateReconfiguring);
	sim.add_device(kNew, 0x8086, 0x10d3);
	one_device("3", "0000:00:06.0"); // attached; the target key no longer readable
	backend(XenbusStateReconfigured);
	EXPECT_TRUE(live(kNew));
	EXPECT_FALSE(fxen.logged("devices refused"));
	EXPECT_EQ(fake.count("read target"), 1);
}

// A stubdomain's devices are QEMU's: each gets driver_override "none" once, before it is added,
// so no driver here binds it and DMAs into the HVM guest's memory; a later round leaves an
// override an admin wrote alone.
TEST_F(FrontendTest, AStubdomainKeepsDriversOffItsDevices)
{
	fake.store["target"] = "7";
	connect();
	ASSERT_TRUE(live(kNic));
	FakeDev *nic = fpci.dev(0, 0, kNic.devfn);
	EXPECT_EQ(nic->override_at_add, "none");
	EXPECT_TRUE(fxen.logged("with driver_override 'none'"));
	nic->driver_override = "e1000"; // the admin's choice
	backend(XenbusStateReconfiguring);
	sim.add_device(kNew, 0x8086, 0x10d3);
	fake.store["num_devs"] = "2";
	fake.store["state-1"] = "3"; // being attached
	fake.store["vdev-1"] = "0000:00:06.0";
	backend(XenbusStateReconfigured);
	ASSERT_TRUE(live(kNew));
	EXPECT_EQ(fpci.dev(0, 0, kNew.devfn)->override_at_add, "none");
	EXPECT_EQ(nic->driver_override, "e1000");
	EXPECT_EQ(nic->override_sets, 1);
}

// A stubdomain function whose override cannot be set is not added: at connect its new root goes
// with it (the connection fails, as for a root that cannot be made); in a hotplug round the
// function alone is removed again.
TEST_F(FrontendTest, AStubdomainDeviceThatCannotBeFencedIsNotAdded)
{
	fake.store["target"] = "7";
	fpci.fail_override = 12; // ENOMEM
	backend(XenbusStateInitWait);
	backend(XenbusStateConnected);
	EXPECT_NE(fxen.ours, XenbusStateConnected);
	EXPECT_FALSE(live(kNic));
	ASSERT_NE(fpci.dev(0, 0, kNic.devfn), nullptr);
	EXPECT_EQ(fpci.dev(0, 0, kNic.devfn)->override_at_add, "(not added)");
	EXPECT_TRUE(fxen.logged("0000:00:05.0 not added: cannot keep drivers off it"));
	EXPECT_TRUE(fxen.logged("PCI bus 0000:00 not made"));
	EXPECT_EQ(fpci.live_buses(), 0);
	EXPECT_EQ(fpci.removed, std::vector<std::string>{"0000:00"});
}

TEST_F(FrontendTest, AStubdomainHotplugDeviceThatCannotBeFencedIsNotAdded)
{
	fake.store["target"] = "7";
	connect();
	ASSERT_TRUE(live(kNic));
	fpci.fail_override = 12;
	backend(XenbusStateReconfiguring);
	sim.add_device(kNew, 0x8086, 0x10d3);
	fake.store["num_devs"] = "2";
	fake.store["state-1"] = "3";
	fake.store["vdev-1"] = "0000:00:06.0";
	backend(XenbusStateReconfigured);
	EXPECT_TRUE(live(kNic));
	EXPECT_FALSE(live(kNew));
	ASSERT_NE(fpci.dev(0, 0, kNew.devfn), nullptr);
	EXPECT_EQ(fpci.dev(0, 0, kNew.devfn)->override_at_add, "(not added)");
	EXPECT_TRUE(fxen.logged("0000:00:06.0 not added: cannot keep drivers off it"));
}

// A driver domain binds its drivers as ever: no override is set.
TEST_F(FrontendTest, ADriverDomainLeavesDriverOverrideAlone)
{
	connect();
	ASSERT_TRUE(live(kNic));
	EXPECT_EQ(fpci.dev(0, 0, kNic.devfn)->override_sets, 0);
	EXPECT_EQ(fpci.dev(0, 0, kNic.devfn)->override_at_add, "");
}

// A target key that cannot be read (not merely absent): a driver domain, with a line, so that
// xen-swiotlb stays the condition for adding devices.
TEST_F(FrontendTest, AnUnreadableTargetKeyIsADriverDomain)
{
	fpci.dma_ready = false;
	fake.store_errors["target"] = 11; // EAGAIN
	connect();
	EXPECT_FALSE(live(kNic));
	EXPECT_TRUE(fxen.logged("cannot read this domain's target key (-11)"));
	EXPECT_TRUE(fxen.logged("devices refused"));
}

TEST_F(FrontendTest, ATargetKeyThatIsNoDomainIsNoStubdomain)
{
	fpci.dma_ready = false;
	fake.store["target"] = "7x";
	connect();
	EXPECT_FALSE(live(kNic));
	EXPECT_TRUE(fxen.logged("devices refused"));
	EXPECT_TRUE(fxen.logged("this domain's target key is not a domain id"));
}

// xl pci-detach, then xl pci-attach: the device list read once per round, the detached device
// removed before the answer, the attached one found by the rescan.
TEST_F(FrontendTest, AHotplugRoundDetachesThenAttaches)
{
	connect();
	fake.store["state-0"] = "5"; // Closing: being detached
	backend(XenbusStateReconfiguring);
	EXPECT_EQ(fxen.ours, XenbusStateReconfiguring);
	EXPECT_FALSE(live(kNic));
	EXPECT_TRUE(fxen.logged("detach: removed 0000:00:05.0"));
	// pciback stops exporting it; the new device is Initialised in the list.
	sim.add_device(kNew, 0x8086, 0x10d3);
	one_device("3", "0000:00:06.0");
	backend(XenbusStateReconfigured);
	EXPECT_EQ(fxen.ours, XenbusStateConnected);
	EXPECT_TRUE(live(kNew));
	EXPECT_TRUE(fpci.dev(0, 0, kNew.devfn)->added);
	EXPECT_TRUE(fxen.logged("attach: 0000:00:06.0 added"));
	EXPECT_EQ(read(kNew, 2, 2), 0x10d3u);
	EXPECT_NE(fxen.read_file("stats").find("hotplug_rounds 1"), std::string::npos);
	EXPECT_NE(fxen.read_file("counters").find("rounds 1 detached 1 detach_absent 0 attached 1"),
		  std::string::npos);
}

// The device list (num_devs, state-N, vdev-N) is read inside one xenstore transaction, so a list
// the toolstack rewrites meanwhile is never seen half old, half new; a commit that raced a writer
// reads it again, a bounded number of times, and a list never read whole fails closed (issue 18,
// item 10).
TEST_F(FrontendTest, TheDeviceListIsReadInOneTransactionAndAgainWhenItRaced)
{
	connect();
	fake.store["state-0"] = "5";
	fake.reads.clear();
	const int starts = fake.count("transaction_start");
	fake.transaction_end_result = -KCXX_EAGAIN; // every commit finds the list changed
	backend(XenbusStateReconfiguring);
	fake.transaction_end_result = 0;
	const int attempts = fake.count("transaction_start") - starts;
	EXPECT_GE(attempts, 2) << "a raced read was not done again";
	EXPECT_LE(attempts, 16) << "a list that keeps changing is read without end";
	size_t list_reads = 0;
	for (const auto &[xbt, node] : fake.reads)
		if (node == "num_devs" || node.rfind("state-", 0) == 0 ||
		    node.rfind("vdev-", 0) == 0) {
			++list_reads;
			EXPECT_EQ(xbt, 5u) << node << " read outside the transaction";
		}
	EXPECT_GE(list_reads, 3u);
	// Never read whole: nothing removed and not answered, as for an unreadable list.
	EXPECT_TRUE(live(kNic));
	EXPECT_NE(fxen.ours, XenbusStateReconfiguring);
}

// Fail closed: a detach whose entry cannot be read is not answered, and nothing is removed.
TEST_F(FrontendTest, ADetachThatCannotBeReadIsRefusedAndTheDeviceStays)
{
	connect();
	fake.store["state-0"] = "5";
	fake.store.erase("vdev-0");
	backend(XenbusStateReconfiguring);
	ASSERT_EQ(fxen.fatals.size(), 1u);
	EXPECT_EQ(fxen.fatals[0], "-22 answering the backend's Reconfiguring");
	EXPECT_NE(fxen.ours, XenbusStateReconfiguring);
	EXPECT_TRUE(live(kNic));
	EXPECT_TRUE(fxen.logged("detach: refused: device entry 0"));
}

// No memory for the list: the detach is refused as for a list that cannot be read, and the
// line says which it was, not that the backend's list is invalid.
TEST_F(FrontendTest, ADetachWithoutMemoryForTheListSaysSo)
{
	connect();
	fake.store["state-0"] = "5";
	host_fail_alloc_of_size = sizeof(HotplugList);
	backend(XenbusStateReconfiguring);
	host_fail_alloc_of_size = 0;
	ASSERT_EQ(fxen.fatals.size(), 1u);
	EXPECT_TRUE(live(kNic));
	EXPECT_TRUE(fxen.logged("device list is unusable (it could not be read, -12)"));
	EXPECT_FALSE(fxen.logged("invalid"));
}

// A backend can repeat rounds with up to 256 bad entries each: their lines go through the rate
// limit, so it cannot flood the kernel log.
TEST_F(FrontendTest, BadEntriesOfAnAttachAreLoggedWithinTheRateLimit)
{
	connect();
	fake.store["num_devs"] = "3";
	fake.store["state-0"] = "4";
	fake.store["state-1"] = "3"; // attaches: no vdev-1, and a vdev-2 that does not parse
	fake.store["state-2"] = "3";
	fake.store["vdev-2"] = "zz";
	backend(XenbusStateReconfiguring);
	backend(XenbusStateReconfigured);
	EXPECT_EQ(fxen.ours, XenbusStateConnected);
	EXPECT_TRUE(fxen.logged("device entry 1 refused"));
	EXPECT_TRUE(fxen.logged("device entry 2 refused"));
	// Rounds of 256 entries, 255 of them without a device: ten lines a span, and the rest
	// said as a count with the first line the next span prints.
	fake.store["num_devs"] = "256";
	for (int i = 0; i < 256; ++i)
		fake.store["state-" + std::to_string(i)] = "3";
	const auto lines = [] {
		int n = 0;
		for (const auto &l : fxen.logs)
			n += l.find("device entry") != std::string::npos;
		return n;
	};
	fxen.now_ns += kcxx::LogLimits::kIntervalNs;
	fxen.logs.clear();
	backend(XenbusStateReconfiguring);
	backend(XenbusStateReconfigured);
	EXPECT_EQ(lines(), static_cast<int>(kcxx::LogLimits::kBurst));
	fxen.now_ns += kcxx::LogLimits::kIntervalNs;
	fxen.logs.clear();
	backend(XenbusStateReconfiguring);
	backend(XenbusStateReconfigured);
	EXPECT_EQ(lines(), static_cast<int>(kcxx::LogLimits::kBurst));
	// Entries 1..255 refused at both steps of the round (detach and attach read the list).
	EXPECT_TRUE(fxen.logged("500 lines like the next one not printed (rate limit)"));
}

TEST_F(FrontendTest, AnAttachWhoseDeviceDoesNotAppearIsSaidAndConnectedStill)
{
	connect();
	fake.store["state-0"] = "3";
	fake.store["vdev-0"] = "0000:00:07.0"; // exported, but pciback answers nothing there
	backend(XenbusStateReconfiguring);
	backend(XenbusStateReconfigured);
	EXPECT_EQ(fxen.ours, XenbusStateConnected);
	EXPECT_TRUE(fxen.logged("not on our buses after the rescan"));
	EXPECT_TRUE(fxen.logged("not every device the backend attached could be added"));
}

TEST_F(FrontendTest, AnUnexpectedStateIsCountedAndIgnored)
{
	backend(XenbusStateReconfiguring); // before we published anything
	EXPECT_TRUE(fxen.switches.empty());
	EXPECT_TRUE(
	    fxen.logged("backend went to state 7 (Reconfiguring) while we are Initialising"));
	connect();
	EXPECT_NE(fxen.read_file("stats").find("protocol_events 1"), std::string::npos);
}

// A reload of the module: the connection goes to the keeper with the devices removed, and the
// next load takes it over and finds the devices again, with no Closed in between.
TEST_F(FrontendTest, AReloadKeepsTheConnectionAndTheNextLoadTakesItOver)
{
	connect();
	fxen.keeper_takes = true;
	fe->remove();
	EXPECT_TRUE(fxen.kept);
	EXPECT_TRUE(fxen.logged("connection to pciback kept for the next load"));
	EXPECT_EQ(fxen.ours, XenbusStateConnected);
	EXPECT_FALSE(live(kNic));
	EXPECT_EQ(fake.count("teardown_ring"), 0);
	EXPECT_EQ(fxen.msi_transport, nullptr);
	fe.reset();
	EXPECT_EQ(fake.count("teardown_ring"), 0); // the keeper has it

	fe = std::make_unique<Frontend>(xdev);
	backend(XenbusStateConnected);
	EXPECT_FALSE(fxen.kept);
	EXPECT_TRUE(fxen.logged("took over the connection kept from the previous load"));
	EXPECT_EQ(fxen.ours, XenbusStateConnected);
	EXPECT_TRUE(live(kNic));
	EXPECT_EQ(read(kNic, 0, 2), 0x8086u);
	EXPECT_NE(fxen.msi_transport, nullptr);
}

// xen-pciback reloaded in the backend domain while our connection was kept: its end of the
// channel is closed, the new pciback never maps the page. The take-over is refused with a line
// saying so, and the connection closed, instead of a "connected" whose every op times out.
TEST_F(FrontendTest, AKeptConnectionThePeerDroppedIsNotTakenOver)
{
	reload_with_kept_connection(-KCXX_ENOTCONN);
	EXPECT_TRUE(fxen.logged("no longer leads to the backend's domain 0"));
	EXPECT_TRUE(fxen.logged("the kept connection cannot be used"));
	EXPECT_FALSE(fxen.logged("took over the connection"));
	EXPECT_EQ(fxen.ours, XenbusStateClosed);
	EXPECT_EQ(fxen.conn_closes, 1);
	EXPECT_FALSE(live(kNic));
}

// The same, and the keeper will not take the connection back to close it: the frontend closes
// the channel and ends the grant itself instead of leaving the channel bound without a handler
// and the page granted.
TEST_F(FrontendTest, AKeptConnectionThePeerDroppedIsClosedWhenTheKeeperWillNotTakeItBack)
{
	const size_t from = fake.calls.size();
	reload_with_kept_connection(-KCXX_ENOTCONN, false);
	EXPECT_TRUE(fxen.logged("the kept connection cannot be used"));
	EXPECT_EQ(fxen.ours, XenbusStateClosed);
	EXPECT_FALSE(fxen.kept);
	size_t unbind = 0, teardown_ring = 0;
	for (size_t i = from; i < fake.calls.size(); ++i) {
		unbind += fake.calls[i] == "unbind 33";
		teardown_ring += fake.calls[i].rfind("teardown_ring", 0) == 0;
	}
	EXPECT_EQ(unbind, 1u) << "the kept channel left bound";
	EXPECT_EQ(teardown_ring, 1u) << "the kept page left granted";
}

// An XSM policy may deny EVTCHNOP_status: that proves nothing about the channel, and the
// take-over goes ahead (with a line saying it is unchecked) instead of closing a device that
// was fine.
TEST_F(FrontendTest, AKeptConnectionXenWillNotDescribeIsTakenOverUnchecked)
{
	reload_with_kept_connection(-KCXX_EACCES);
	EXPECT_TRUE(fxen.logged("cannot ask Xen where the kept event channel"));
	EXPECT_TRUE(fxen.logged("took over the connection kept from the previous load"));
	EXPECT_EQ(fxen.ours, XenbusStateConnected);
	EXPECT_TRUE(live(kNic));
}

// A reload finds the backend no longer Connected (it is closing, or restarting after pciback was
// reloaded in dom0): the kept connection cannot be taken over, and it is ended in the keeper, not
// left there. Left, its page, channel and xenbus reference would leak, and the keeper's few slots
// would fill until later reloads could keep nothing (issue 18, item 9).
TEST_F(FrontendTest, AKeptConnectionWhoseBackendIsNotConnectedIsEndedInTheKeeper)
{
	for (const int be : {XenbusStateInitWait, XenbusStateClosing, XenbusStateReconfiguring}) {
		SCOPED_TRACE(xenbus_state_name(be));
		const int closes = fxen.conn_closes;
		reload_with_kept_connection(0, true, be); // 0: the channel still leads to dom0
		EXPECT_EQ(fxen.conn_closes, closes + 1);
		EXPECT_FALSE(fxen.kept) << "the kept connection left in the keeper";
		EXPECT_FALSE(fxen.logged("took over the connection"));
		EXPECT_EQ(fxen.ours, XenbusStateClosed);
		EXPECT_FALSE(live(kNic));
		// As the toolstack would, before the next round: a fresh frontend directory.
		fe.reset();
		fxen.ours = XenbusStateInitialising;
		fe = std::make_unique<Frontend>(xdev);
	}
}

TEST_F(FrontendTest, AReloadWithoutAKeptConnectionCloses)
{
	connect();
	fe->remove(); // the keeper is full: closed
	EXPECT_EQ(fxen.ours, XenbusStateClosed);
	fe = std::make_unique<Frontend>(xdev);
	fxen.ours = XenbusStateConnected; // xenstore still says Connected (an earlier load's)
	backend(XenbusStateConnected);
	EXPECT_TRUE(fxen.logged("no connection was kept from an earlier load"));
	EXPECT_EQ(fxen.ours, XenbusStateClosed);
	EXPECT_EQ(fxen.conn_closes, 1);
	EXPECT_EQ(fpci.live_buses(), 0);
}

// The toolstack removed our directory (a dead backend domain): no write, nothing kept.
TEST_F(FrontendTest, AVanishedDeviceIsRemovedWithoutWritingOrKeeping)
{
	connect();
	fxen.keeper_takes = true;
	fxen.vanished = true;
	const size_t switches = fxen.switches.size();
	fe->remove();
	EXPECT_TRUE(fxen.logged("our xenstore directory was removed or reset"));
	EXPECT_EQ(fxen.switches.size(), switches);
	EXPECT_FALSE(fxen.kept);
	EXPECT_EQ(fpci.live_buses(), 0);
	EXPECT_EQ(fake.count("teardown_ring"), 1);
}

TEST_F(FrontendTest, MsiOpsReachTheBackendForOurDevicesOnly)
{
	connect();
	ASSERT_NE(fxen.msi_transport, nullptr);
	auto *t = static_cast<xpf_msi_transport *>(fxen.msi_transport);
	EXPECT_STREQ(t->msi_name(), "device/pci/0");
	auto *nic = reinterpret_cast<struct pci_dev *>(fpci.dev(0, 0, kNic.devfn));
	xen_pci_op req = *make_msi_op(XEN_PCI_OP_enable_msi, kNic).get();
	xen_pci_op reply = {};
	EXPECT_EQ(t->msi_op(nic, req, &reply), 0);
	EXPECT_EQ(reply.err, 0);
	EXPECT_GT(reply.value, 0u); // a pirq
	EXPECT_TRUE(sim.device(kNic)->msi_on);
	// A device on someone else's bus is refused before anything is sent.
	int other = 0;
	FakeBus &foreign = fpci.foreign_bus(0, 3, reinterpret_cast<struct device *>(&other));
	++foreign_buses;
	fpci.present.emplace_back(0, 3, 0);
	fpci.probe = nullptr;
	kcxx_pci_lock_rescan_remove();
	ASSERT_NE(kcxx_pci_scan_single_device(reinterpret_cast<struct pci_bus *>(&foreign), 0),
		  nullptr);
	kcxx_pci_unlock_rescan_remove();
	const int ops = sim.ops;
	EXPECT_EQ(t->msi_op(reinterpret_cast<struct pci_dev *>(fpci.dev(0, 3, 0)), req, &reply),
		  -KCXX_ENODEV);
	EXPECT_EQ(sim.ops, ops);
	EXPECT_NE(fxen.read_file("stats").find("msi_ops 1"), std::string::npos);
}

// pciback forwards an AER request: the handler queues the work, the work answers in the page.
TEST_F(FrontendTest, AnAerRequestIsAnsweredFromTheWork)
{
	connect();
	auto *sh = static_cast<xen_pci_sharedinfo *>(fake_ring_page());
	sh->aer_op = {};
	sh->aer_op.cmd = XEN_PCI_OP_aer_detected;
	sh->aer_op.err = 1; // pci_channel_io_normal
	sh->aer_op.devfn = kNic.devfn;
	__atomic_or_fetch(&sh->flags, 1u << _XEN_PCIB_active, __ATOMIC_SEQ_CST);
	ASSERT_NE(fake.irq_action, nullptr);
	fake.irq_action->handler(33, fake.irq_action->data);
	ASSERT_EQ(fxen.queued_work.size(), 1u);
	fxen.run_work();
	EXPECT_FALSE(sh->flags & (1u << _XEN_PCIB_active));
	EXPECT_EQ(sh->aer_op.err, 5); // the driver's vote (the fake: recovered)
	EXPECT_NE(fxen.read_file("stats").find("aer_requests 1 aer_unhandled 0"),
		  std::string::npos);
}

// A request pending in the page.
static xen_pci_sharedinfo *aer_request(const Bdf &bdf, int32_t state = 1)
{
	auto *sh = static_cast<xen_pci_sharedinfo *>(fake_ring_page());
	sh->aer_op = {};
	sh->aer_op.cmd = XEN_PCI_OP_aer_detected;
	sh->aer_op.err = state;
	sh->aer_op.devfn = bdf.devfn;
	__atomic_or_fetch(&sh->flags, 1u << _XEN_PCIB_active, __ATOMIC_SEQ_CST);
	return sh;
}
static bool aer_pending(const xen_pci_sharedinfo *sh)
{
	return __atomic_load_n(&sh->flags, __ATOMIC_SEQ_CST) & (1u << _XEN_PCIB_active);
}

// A reload: the next load takes the kept channel over while pciback has an AER request pending
// in the page. Its event runs our handler the moment the channel is ours again, before the
// connection is served (issue 18, item 8: the AER work was then still a zeroed work_struct, which
// the handler queued). Nothing uninitialised is queued, and the request is answered, with the
// driver's vote, once the devices are in place.
TEST_F(FrontendTest, AnAerEventAtTheTakeOverIsAnsweredOnceTheDevicesAreThere)
{
	connect();
	fxen.keeper_takes = true;
	fe->remove();
	ASSERT_TRUE(fxen.kept);
	fe.reset();
	auto *sh = aer_request(kNic);
	const int binds = fake.count("request_irq");
	fake.fire_on_bind = true;
	fe = std::make_unique<Frontend>(xdev);
	backend(XenbusStateConnected);
	fake.fire_on_bind = false;
	ASSERT_EQ(fake.count("request_irq"), binds + 1) << "the take-over bound no handler";
	ASSERT_TRUE(fxen.logged("took over the connection kept from the previous load"));
	ASSERT_TRUE(live(kNic));
	EXPECT_EQ(fxen.uninitialised_work_queued, 0);
	fxen.run_work();
	EXPECT_EQ(fxen.uninitialised_work_queued, 0);
	EXPECT_FALSE(aer_pending(sh));
	EXPECT_EQ(sh->aer_op.err, 5); // the driver's vote (the fake: recovered)
}

// Issue 18 review: a channel state outside 1..3 is not handed to a driver.
TEST_F(FrontendTest, AnAerRequestWithABadChannelStateIsRefused)
{
	connect();
	auto *sh = aer_request(kNic, 77);
	fake.irq_action->handler(33, fake.irq_action->data);
	fxen.run_work();
	EXPECT_FALSE(aer_pending(sh));
	EXPECT_EQ(sh->aer_op.err, 1); // PCI_ERS_RESULT_NONE
	EXPECT_TRUE(fxen.logged("channel state 77"));
}

// A request that comes while the keep path removes the devices is not answered for a device on
// its way out (NONE: pciback kills the domain): it waits for the next load, which answers it
// once its devices are back.
static void aer_during_removal(const char *)
{
	aer_request(kNic);
	fake.irq_action->handler(33, fake.irq_action->data);
	fxen.run_work();
}
// The take-over's scan with the AER work running in the middle of it (the workqueue does not
// wait for the scan).
static bool work_then_probe(struct pci_bus *bus, unsigned int devfn)
{
	fxen.run_work();
	return probe(bus, devfn);
}

TEST_F(FrontendTest, AnAerRequestDuringAReloadWaitsForTheDevicesOfTheNextLoad)
{
	connect();
	fxen.keeper_takes = true;
	fpci.on_remove_root = aer_during_removal;
	fe->remove();
	fpci.on_remove_root = nullptr;
	ASSERT_TRUE(fxen.kept);
	auto *sh = static_cast<xen_pci_sharedinfo *>(fake_ring_page());
	EXPECT_TRUE(aer_pending(sh)) << "answered while the devices were going: " << sh->aer_op.err;
	fe.reset();

	fe = std::make_unique<Frontend>(xdev);
	fpci.probe = work_then_probe;
	backend(XenbusStateConnected);
	fpci.probe = probe;
	ASSERT_TRUE(live(kNic));
	fxen.run_work();
	EXPECT_FALSE(aer_pending(sh));
	EXPECT_EQ(sh->aer_op.err, 5); // the driver's vote, not NONE for a device not yet added
	EXPECT_NE(fxen.read_file("stats").find("aer_requests 1 aer_unhandled 0"),
		  std::string::npos);
}

// An AER request's event consumed by an op's wait (the wait clears the port's pending bit with
// interrupts off, so the handler never runs for it): the wait itself queues the handler.
TEST_F(FrontendTest, AnAerEventTakenByAnOpsWaitIsNotLost)
{
	connect();
	fxen.run_work();
	auto *sh = aer_request(kNic);
	fxen.answer_after_polls = 2;
	(void)read(kNic, 0x40, 4);
	ASSERT_EQ(fxen.queued_work.size(), 1u);
	fxen.run_work();
	EXPECT_FALSE(aer_pending(sh));
	EXPECT_EQ(sh->aer_op.err, 5);
}

static size_t last_call(const std::string &prefix)
{
	size_t at = std::string::npos;
	for (size_t i = 0; i < fake.calls.size(); ++i)
		if (fake.calls[i].rfind(prefix, 0) == 0)
			at = i;
	return at;
}

// A connect that fails after the channel is up: a request already pending is answered before
// the channel goes (pciback would wait 300 s for it holding its semaphore), and for the device
// that went with the connection as the AER core answers for a device without a driver, not
// 'none' (on which pciback flags the domain's AER as failed).
TEST_F(FrontendTest, AConnectThatFailsAnswersAPendingAerRequestBeforeItCloses)
{
	second_root_taken();
	backend(XenbusStateInitWait);
	auto *sh = aer_request(kNic);
	backend(XenbusStateConnected);
	ASSERT_EQ(fxen.ours, XenbusStateClosing);
	EXPECT_FALSE(aer_pending(sh)) << "left for pciback to time out";
	EXPECT_EQ(sh->aer_op.err, 6); // PCI_ERS_RESULT_NO_AER_DRIVER
	EXPECT_TRUE(fxen.logged("the device went with the connection"));
	ASSERT_NE(last_call("cancel_work"), std::string::npos);
	EXPECT_LT(last_call("cancel_work"), last_call("unbind"));
}

// A request that the backend sends while the ending connection waits for its AER work (its
// event would queue the work anew) is answered before the channel goes: cancelled with the
// work, it would wait for pciback's 300 s timeout with pciback's semaphore held.
TEST_F(FrontendTest, AnAerRequestArrivingAsTheConnectionEndsIsAnswered)
{
	connect();
	fxen.run_work();
	xen_pci_sharedinfo *sh = nullptr;
	fxen.on_work_wait = [&] {
		if (sh)
			return;
		sh = aer_request(kNic);
		fake.irq_action->handler(33, fake.irq_action->data);
	};
	backend(XenbusStateClosing);
	fxen.on_work_wait = nullptr;
	ASSERT_NE(sh, nullptr) << "the ending connection waited for no AER work";
	EXPECT_FALSE(aer_pending(sh)) << "left for pciback to time out";
	EXPECT_EQ(sh->aer_op.err, 6); // PCI_ERS_RESULT_NO_AER_DRIVER: the device went with it
	EXPECT_LT(last_call("cancel_work"), last_call("unbind"));
}

// The AER work has finished before the channel is unbound: a handler still answering would
// notify a port number that may be another driver's by then.
TEST_F(FrontendTest, AnEndingConnectionFinishesItsAerWorkBeforeTheChannelGoes)
{
	connect();
	backend(XenbusStateClosing);
	ASSERT_NE(last_call("unbind"), std::string::npos);
	ASSERT_NE(last_call("cancel_work"), std::string::npos);
	EXPECT_LT(last_call("cancel_work"), last_call("unbind"));
}

// A backend that sets the AER flag again the moment each request is answered: the work does
// not answer it without end (each answer runs a driver's error handler); past the budget the
// request waits, with a line, and is answered once the span has passed.
TEST_F(FrontendTest, ABackendThatAsksForAerWithoutEndIsAnsweredWithinABudget)
{
	connect();
	auto *sh = aer_request(kNic);
	int asked = 1;
	fxen.on_port_notify = [&] {
		aer_request(kNic);
		++asked;
	};
	fake.irq_action->handler(33, fake.irq_action->data);
	for (int round = 0; round < 1000 && !fxen.queued_work.empty(); ++round)
		fxen.run_work();
	EXPECT_TRUE(fxen.queued_work.empty()) << "the AER work keeps queueing itself";
	EXPECT_EQ(asked, static_cast<int>(AerBudget::kRequests) + 1);
	EXPECT_TRUE(aer_pending(sh));
	EXPECT_TRUE(fxen.logged("AER requests within 10 s"));
	fxen.on_port_notify = nullptr;
	// An event past the budget is spurious for the late-EOI throttle.
	const int spurious = fxen.spurious_eois;
	fake.irq_action->handler(33, fake.irq_action->data);
	EXPECT_EQ(fxen.spurious_eois - spurious, 1);
	EXPECT_TRUE(fxen.queued_work.empty());
	fxen.now_ns += AerBudget::kSpanNs;
	fake.irq_action->handler(33, fake.irq_action->data);
	fxen.run_work();
	EXPECT_FALSE(aer_pending(sh));
}

// A backend that notifies again and again with the AER flag set: the first event queues the
// handler and is honest, the repeats while it is queued are spurious (late-EOI throttle).
TEST_F(FrontendTest, RepeatedAerEventsForOneRequestCountAsSpurious)
{
	connect();
	aer_request(kNic);
	const int eois = fxen.eois, spurious = fxen.spurious_eois;
	for (int i = 0; i < 100; ++i)
		fake.irq_action->handler(33, fake.irq_action->data);
	EXPECT_EQ(fxen.eois - eois, 100);
	EXPECT_EQ(fxen.spurious_eois - spurious, 99);
	fxen.run_work();
}

} // namespace
