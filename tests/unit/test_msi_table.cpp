// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <set>

#include "config_space.hpp"
#include "connection.hpp"
#include "fake_kernel.hpp"
#include "fake_xen.hpp"
#include "host_runtime.hpp"
#include "lib/msi_table.hpp"
#include "sim_backend.hpp"

using namespace pcifront;

namespace {

xen::IrqReturn no_handler(int, void *)
{
	return xen::kIrqHandled;
}

// The frontend as MsiTable sees it: the real Connection and ConfigSpace of pcifront/ (the path
// every MSI op takes: ConfigSpace::msi_op), over the fake kernel and a simulated pciback.
struct TableBackend {
	explicit TableBackend(SimBackend &s) : sim(s)
	{
		fake.reset();
		fxen.reset();
		EXPECT_TRUE(conn.publish().ok());
		fxen.backend = &sim;
		fxen.page = conn.shared();
		cs.start();
	}
	SimBackend &sim;
	int xdev_storage = 0;
	xen::XenbusDevice xdev{reinterpret_cast<struct xenbus_device *>(&xdev_storage)};
	Connection conn{xdev, no_handler, nullptr};
	Aer aer{conn, xdev};
	ConfigSpace cs{conn, xdev, aer};
	int timeouts_next = 0;	      // the next calls get no answer within op_timeout_ms
	bool acts_on_timeout = false; // ... although pciback did act on them (answering late)
	uint32_t pirq_limit = 1024;   // what Xen would accept for this domain
	std::vector<uint32_t> sent;
	std::multiset<uint32_t> live; // pirqs between on_enabled and on_released
	int enabled_calls = 0, released_calls = 0;

	int call(const xen_pci_op &req, xen_pci_op *reply)
	{
		sent.push_back(req.cmd);
		if (timeouts_next <= 0)
			return cs.msi_op(req, reply);
		--timeouts_next;
		fxen.silent = true;
		const int e = cs.msi_op(req, reply); // waits op_timeout_ms of fake time
		fxen.silent = false;
		// The late answer, which frees the channel for the next op: pciback acted on the
		// op, or answered that it could not.
		if (acts_on_timeout) {
			sim.handle(conn.shared());
		} else {
			conn.shared()->op.err = XEN_PCI_ERR_op_failed;
			__atomic_and_fetch(&conn.shared()->flags, ~(1u << _XEN_PCIF_active),
					   __ATOMIC_RELEASE);
		}
		return e;
	}
	bool pirq_valid(uint32_t pirq) { return pirq < pirq_limit; }
	void on_enabled(MsiDevice &d)
	{
		++enabled_calls;
		for (int i = 0; i < d.state.nvec(); i++)
			live.insert(d.pirqs[i]);
	}
	void on_released(MsiDevice &d)
	{
		++released_calls;
		for (int i = 0; i < d.state.nvec(); i++) {
			auto it = live.find(d.pirqs[i]);
			ASSERT_NE(it, live.end()) << "released a pirq never enabled";
			live.erase(it);
		}
	}
};

const Bdf kNvme{0, 0, devfn(4, 0)};
const Bdf kNic{0, 0, devfn(5, 0)};

uint16_t kEntries[SH_INFO_MAX_VEC];

struct MsiTableTest : ::testing::Test {
	SimBackend sim;
	TableBackend be{sim};
	MsiTable table;
	int vec[SH_INFO_MAX_VEC] = {};

	void SetUp() override
	{
		for (int i = 0; i < SH_INFO_MAX_VEC; i++)
			kEntries[i] = static_cast<uint16_t>(i);
		sim.add_device(kNvme, 0x1b36, 0x0010);
		sim.add_device(kNic, 0x8086, 0x10d3);
	}
	MsiOutcome msix(const Bdf &b, int n) { return table.enable(be, b, MsiMode::Msix, kEntries, n, vec); }
	MsiOutcome msi(const Bdf &b) { return table.enable(be, b, MsiMode::Msi, nullptr, 1, vec); }
};

} // namespace

// The NVMe sequence that loses MSI-X under the in-tree frontend.
TEST_F(MsiTableTest, NvmeOneVectorThenManyStaysOnMsix)
{
	ASSERT_EQ(msix(kNvme, 1).err, 0);
	const MsiOutcome d = table.disable(be, kNvme, MsiMode::Msi); // what the built-in code asks
	EXPECT_TRUE(d.sent);
	EXPECT_TRUE(d.corrected);
	EXPECT_EQ(d.sent_cmd, uint32_t{XEN_PCI_OP_disable_msix});
	EXPECT_FALSE(sim.device(kNvme)->msix_on);

	const MsiOutcome e = msix(kNvme, 8);
	ASSERT_EQ(e.err, 0) << msi_failure_name(e.why);
	std::set<int> distinct(vec, vec + 8);
	EXPECT_EQ(distinct.size(), 8u);
	EXPECT_EQ(table.active(), 1);
	EXPECT_EQ(be.live.size(), 8u);
}

TEST_F(MsiTableTest, BackendLeftOnByAnEarlierFrontendIsRecovered)
{
	sim.device(kNvme)->msix_on = true; // the in-tree frontend's wrong disable
	const MsiOutcome e = msix(kNvme, 4);
	ASSERT_EQ(e.err, 0) << msi_failure_name(e.why);
	EXPECT_TRUE(e.recovered);
	EXPECT_TRUE(sim.device(kNvme)->msix_on);
	EXPECT_EQ(be.live.size(), 4u);
}

TEST_F(MsiTableTest, NoIommuRefusalLeavesNothingEnabled)
{
	sim.device(kNic)->msi_errno = -19;
	MsiOutcome e = msix(kNic, 3);
	EXPECT_EQ(e.err, -19);
	EXPECT_EQ(e.why, MsiFailure::Backend);
	e = msi(kNic); // the driver's fallback
	EXPECT_LT(e.err, 0);
	EXPECT_EQ(e.why, MsiFailure::Backend);
	EXPECT_EQ(table.active(), 0);
	EXPECT_EQ(be.enabled_calls, 0);
	const MsiOutcome d = table.disable(be, kNic, MsiMode::Msi);
	EXPECT_FALSE(d.sent) << "nothing was on; no op should reach pciback";
}

TEST_F(MsiTableTest, BadVectorsAreRefusedAndSwitchedOff)
{
	const SimBackend::Fault faults[] = {SimBackend::Fault::ZeroVector,
					     SimBackend::Fault::DupVector,
					     SimBackend::Fault::ChangedEntry,
					     SimBackend::Fault::CountInReply};
	for (auto f : faults) {
		sim.set_fault(f);
		const MsiOutcome e = msix(kNvme, 4);
		sim.set_fault(SimBackend::Fault::None);
		EXPECT_EQ(e.err, -KCXX_EINVAL);
		EXPECT_EQ(e.why, MsiFailure::BadVector);
		EXPECT_NE(e.vector_fault, VectorFault::None);
		EXPECT_FALSE(e.undo_failed);
		EXPECT_FALSE(sim.device(kNvme)->msix_on) << "refused vectors left MSI-X on";
		EXPECT_EQ(table.active(), 0);
	}
	EXPECT_EQ(be.enabled_calls, 0);
}

TEST_F(MsiTableTest, CountInAnMsixReplyIsRefusedWhateverTheVectors)
{
	sim.set_fault(SimBackend::Fault::CountInReply); // the vectors themselves are good ones
	const MsiOutcome e = msix(kNvme, 4);
	EXPECT_EQ(e.why, MsiFailure::BadVector);
	EXPECT_EQ(e.vector_fault, VectorFault::CountInReply);
	EXPECT_EQ(e.pirq, 64u);
	EXPECT_FALSE(sim.device(kNvme)->msix_on) << "a refused reply left MSI-X on";
	sim.set_fault(SimBackend::Fault::None);
	EXPECT_EQ(msix(kNvme, 4).err, 0) << "the next good reply is taken";
}

TEST_F(MsiTableTest, PirqOutsideTheDomainIsRefused)
{
	sim.set_fault(SimBackend::Fault::HugeVector);
	const MsiOutcome e = msix(kNvme, 2);
	EXPECT_EQ(e.why, MsiFailure::PirqRejected);
	EXPECT_EQ(e.pirq, 0xffffu);
	EXPECT_FALSE(sim.device(kNvme)->msix_on);
}

TEST_F(MsiTableTest, PirqOfAnotherDeviceIsRefused)
{
	ASSERT_EQ(msix(kNvme, 2).err, 0);
	sim.first_pirq = static_cast<uint16_t>(vec[1]); // pciback hands out a pirq the NVMe holds
	const MsiOutcome e = msi(kNic);
	EXPECT_EQ(e.why, MsiFailure::PirqInUse);
	EXPECT_FALSE(sim.device(kNic)->msi_on);
	EXPECT_EQ(table.active(), 1);
}

TEST_F(MsiTableTest, MsiEnableAndDisable)
{
	const MsiOutcome e = msi(kNic);
	ASSERT_EQ(e.err, 0);
	EXPECT_GT(vec[0], 0);
	EXPECT_TRUE(sim.device(kNic)->msi_on);
	const MsiOutcome d = table.disable(be, kNic, MsiMode::Msi);
	EXPECT_FALSE(d.corrected);
	EXPECT_EQ(d.sent_cmd, uint32_t{XEN_PCI_OP_disable_msi});
	EXPECT_FALSE(sim.device(kNic)->msi_on);
}

TEST_F(MsiTableTest, ZeroMsiPirqIsRefused)
{
	sim.first_pirq = 0;
	sim.fresh_pirqs = false;
	const MsiOutcome e = msi(kNic);
	EXPECT_EQ(e.why, MsiFailure::BadVector);
	EXPECT_EQ(e.vector_fault, VectorFault::Zero);
	EXPECT_FALSE(sim.device(kNic)->msi_on);
}

TEST_F(MsiTableTest, TimedOutEnableIsSwitchedOffByTheNextEnable)
{
	be.timeouts_next = 1;
	be.acts_on_timeout = true; // pciback enabled MSI-X, its answer came too late
	const MsiOutcome e = msix(kNvme, 2);
	EXPECT_EQ(e.err, -KCXX_ETIMEDOUT);
	EXPECT_EQ(e.why, MsiFailure::Transport);
	EXPECT_EQ(table.active(), 1) << "maybe-on must be remembered";
	EXPECT_TRUE(sim.device(kNvme)->msix_on);

	const MsiOutcome again = msix(kNvme, 2);
	ASSERT_EQ(again.err, 0) << msi_failure_name(again.why);
	EXPECT_FALSE(again.recovered) << "the stale mode should have been switched off first";
	EXPECT_EQ(be.sent.at(1), uint32_t{XEN_PCI_OP_disable_msix});
}

TEST_F(MsiTableTest, TimedOutEnableIsSwitchedOffByTheKernelsTeardown)
{
	be.timeouts_next = 1;
	EXPECT_EQ(msix(kNvme, 2).why, MsiFailure::Transport);
	const MsiOutcome d = table.disable(be, kNvme, MsiMode::Msi);
	EXPECT_TRUE(d.sent);
	EXPECT_EQ(d.sent_cmd, uint32_t{XEN_PCI_OP_disable_msix});
	EXPECT_EQ(table.active(), 0);
}

TEST_F(MsiTableTest, TimedOutDisableKeepsTheRecord)
{
	ASSERT_EQ(msix(kNvme, 2).err, 0);
	be.timeouts_next = 1;
	const MsiOutcome d = table.disable(be, kNvme, MsiMode::Msix);
	EXPECT_EQ(d.err, -KCXX_ETIMEDOUT);
	EXPECT_EQ(table.active(), 1);
	table.forget_all(be);
	EXPECT_EQ(table.active(), 0);
	EXPECT_TRUE(be.live.empty());
}

TEST_F(MsiTableTest, FullTableRefusesCleanly)
{
	for (int i = 0; i < MsiTable::kMaxDevices; i++) {
		const Bdf b{0, 1, static_cast<uint32_t>(i)};
		sim.add_device(b, 0x8086, 0x10d3);
		ASSERT_EQ(msi(b).err, 0) << i;
	}
	const MsiOutcome e = msi(kNic);
	EXPECT_EQ(e.err, -KCXX_ENOSPC);
	EXPECT_EQ(e.why, MsiFailure::TableFull);
	EXPECT_FALSE(sim.device(kNic)->msi_on) << "refused before anything reached pciback";
}

TEST_F(MsiTableTest, NoMemoryForARecordRefusesCleanly)
{
	host_fail_next_alloc = 1;
	const MsiOutcome e = msi(kNic);
	host_fail_next_alloc = 0;
	EXPECT_EQ(e.err, -KCXX_ENOMEM);
	EXPECT_EQ(e.why, MsiFailure::NoMemory);
	EXPECT_TRUE(be.sent.empty()) << "refused before anything reached pciback";
	EXPECT_FALSE(sim.device(kNic)->msi_on);
	ASSERT_EQ(msi(kNic).err, 0) << "the next enable allocates again";
}

TEST(MsiTableMemory, RecordsFollowTheDevicesOnMsiNotTheTableSize)
{
	// A record is allocated at a device's first enable and kept, unused, after its vectors
	// are gone: the next device takes it, and the table frees them all when it goes.
	SimBackend sim;
	TableBackend be{sim};
	int vec[1];
	const int before = host_allocs_live;
	{
		MsiTable table;
		EXPECT_EQ(host_allocs_live, before) << "an empty table holds no record";
		for (uint32_t fn = 0; fn < 3; fn++) {
			const Bdf b{0, 0, devfn(8, fn)};
			sim.add_device(b, 0x8086, 0x10d3);
			ASSERT_EQ(table.enable(be, b, MsiMode::Msi, nullptr, 1, vec).err, 0);
		}
		EXPECT_EQ(host_allocs_live, before + 3);
		for (uint32_t fn = 0; fn < 3; fn++)
			EXPECT_EQ(table.disable(be, {0, 0, devfn(8, fn)}, MsiMode::Msi).err, 0);
		EXPECT_EQ(table.active(), 0);
		for (uint32_t fn = 0; fn < 3; fn++) {
			const Bdf b{0, 0, devfn(9, fn)};
			sim.add_device(b, 0x8086, 0x10d3);
			ASSERT_EQ(table.enable(be, b, MsiMode::Msi, nullptr, 1, vec).err, 0);
		}
		EXPECT_EQ(host_allocs_live, before + 3) << "kept records are reused";
		EXPECT_EQ(table.active(), 3);
		table.forget_all(be);
	}
	EXPECT_EQ(host_allocs_live, before);
	EXPECT_TRUE(be.live.empty());
}

TEST_F(MsiTableTest, RequestsBeyondTheProtocolNeverReachTheBackend)
{
	EXPECT_EQ(msix(kNvme, SH_INFO_MAX_VEC + 1).why, MsiFailure::BadRequest);
	EXPECT_EQ(msix(kNvme, 0).why, MsiFailure::BadRequest);
	EXPECT_TRUE(be.sent.empty());
}

TEST_F(MsiTableTest, ManyCyclesLeaveNothingBehind)
{
	be.pirq_limit = kMaxPirq; // the simulation never reuses a pirq
	for (int i = 0; i < 200; i++) {
		ASSERT_EQ(msix(kNvme, 1).err, 0);
		table.disable(be, kNvme, MsiMode::Msi);
		ASSERT_EQ(msix(kNvme, 9).err, 0) << i;
		table.disable(be, kNvme, MsiMode::Msi);
	}
	EXPECT_EQ(table.active(), 0);
	EXPECT_TRUE(be.live.empty());
	EXPECT_EQ(be.enabled_calls, be.released_calls);
}
