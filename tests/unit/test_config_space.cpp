// SPDX-License-Identifier: GPL-2.0
// The frontend's own parts on the host: the real Connection, ConfigSpace and Aer of
// pcifront/, over the fake kernel (fake_kernel, fake_xen) and a simulated pciback.
#include <gtest/gtest.h>

#include "aer.hpp"
#include "config_space.hpp"
#include "connection.hpp"
#include "fake_kernel.hpp"
#include "fake_xen.hpp"
#include "kcxx/pci.h"
#include "sim_backend.hpp"

using namespace pcifront;

namespace
{

xen::IrqReturn no_handler(int, void *)
{
	return xen::kIrqHandled;
}

const Bdf kNic{0, 0, devfn(5, 0)};

struct PartsTest : ::testing::Test {
	int xdev_storage = 0;
	xen::XenbusDevice xdev{reinterpret_cast<struct xenbus_device *>(&xdev_storage)};
	SimBackend sim;
	FakePciFunction bus0{0, 0, 0, nullptr}; // the root bus 0000:00 as pci_ops sees it
	struct pci_bus *bus = reinterpret_cast<struct pci_bus *>(&bus0);
	Connection conn{xdev, no_handler, nullptr};
	Aer aer{conn, xdev};
	ConfigSpace cs{conn, xdev, aer};
	std::string stats;

	void SetUp() override
	{
		fake.reset();
		fxen.reset();
		sim.add_device(kNic, 0x8086, 0x10d3);
		ASSERT_TRUE(conn.publish().ok());
		fxen.backend = &sim;
		fxen.page = conn.shared();
		cs.start();
	}
	int read(unsigned int fn, int where, int size, uint32_t *v)
	{
		return cs.conf_read(bus, fn, where, size, v);
	}
	const std::string &head()
	{
		stats.clear();
		kcxx::Seq seq(reinterpret_cast<struct seq_file *>(&stats));
		cs.show_head(seq);
		return stats;
	}
};

TEST_F(PartsTest, PublishWritesTheKeysInOneTransaction)
{
	EXPECT_EQ(fake.count("write pci-op-ref=77"), 1);
	EXPECT_EQ(fake.count("write event-channel=9"), 1);
	EXPECT_EQ(fake.count("write magic=" XEN_PCI_MAGIC), 1);
	EXPECT_EQ(fake.count("transaction_commit"), 1);
	EXPECT_EQ(fake.count("bind_lateeoi 9"), 1);
}

TEST_F(PartsTest, PublishRetriesARacedTransactionAndThenGivesUp)
{
	Connection c2{xdev, no_handler, nullptr};
	fake.calls.clear();
	fake.transaction_end_result = -KCXX_EAGAIN;
	auto r = c2.publish();
	ASSERT_FALSE(r.ok());
	EXPECT_EQ(r.error(), -KCXX_EAGAIN);
	EXPECT_EQ(fake.count("transaction_start"), 16);
}

TEST_F(PartsTest, ConfigReadGoesToTheBackend)
{
	uint32_t v = 0;
	ASSERT_EQ(read(kNic.devfn, 0, 4, &v), KCXX_PCIBIOS_SUCCESSFUL);
	EXPECT_EQ(v, 0x10d38086u);
	// The first read of a function's ID vets its header type first (HeaderVet).
	EXPECT_EQ(sim.ops, 2);
	ASSERT_EQ(read(kNic.devfn, 0, 4, &v), KCXX_PCIBIOS_SUCCESSFUL);
	EXPECT_EQ(sim.ops, 3);
	EXPECT_NE(head().find("ops 3 errors 0 faults 0 timeouts 0"), std::string::npos) << stats;
}

TEST_F(PartsTest, WriteThenReadBack)
{
	ASSERT_EQ(cs.conf_write(bus, kNic.devfn, 0x40, 4, 0xabcd1234), KCXX_PCIBIOS_SUCCESSFUL);
	uint32_t v = 0;
	ASSERT_EQ(read(kNic.devfn, 0x40, 4, &v), KCXX_PCIBIOS_SUCCESSFUL);
	EXPECT_EQ(v, 0xabcd1234u);
}

TEST_F(PartsTest, FixedRegistersComeFromTheCacheUntilForgotten)
{
	uint32_t v = 0;
	ASSERT_EQ(read(kNic.devfn, 0x08, 4, &v), KCXX_PCIBIOS_SUCCESSFUL);
	const int ops = sim.ops;
	ASSERT_EQ(read(kNic.devfn, 0x08, 4, &v), KCXX_PCIBIOS_SUCCESSFUL);
	EXPECT_EQ(sim.ops, ops);
	cs.forget_functions();
	ASSERT_EQ(read(kNic.devfn, 0x08, 4, &v), KCXX_PCIBIOS_SUCCESSFUL);
	EXPECT_EQ(sim.ops, ops + 1);
}

TEST_F(PartsTest, AnAnswerAfterSomePollsIsWaitedFor)
{
	fxen.answer_after_polls = 3;
	uint32_t v = 0;
	ASSERT_EQ(cs.conf_write(bus, kNic.devfn, 0x40, 2, 0x1234), KCXX_PCIBIOS_SUCCESSFUL);
	EXPECT_EQ(fxen.polls, 3);
	ASSERT_EQ(read(kNic.devfn, 0x40, 2, &v), KCXX_PCIBIOS_SUCCESSFUL);
	EXPECT_EQ(v, 0x1234u);
	EXPECT_EQ(fxen.polls, 6);
}

// The op's wait does no more than the in-tree frontend's: one clock read before the first poll
// and one after each, the pending bit cleared before the first poll and after each (a PV guest
// whose TSC Xen emulates traps on every clock read; docs/benchmarks.md).
TEST_F(PartsTest, AnOpsWaitReadsTheClockAndClearsThePortOnceAPoll)
{
	uint32_t v = 0;
	ASSERT_EQ(read(kNic.devfn, 0x40, 2, &v), KCXX_PCIBIOS_SUCCESSFUL); // the device vetted
	fxen.answer_after_polls = 3;
	fxen.clock_reads = fxen.pending_clears = fxen.polls = 0;
	ASSERT_EQ(read(kNic.devfn, 0x40, 2, &v), KCXX_PCIBIOS_SUCCESSFUL);
	EXPECT_EQ(fxen.polls, 3);
	EXPECT_EQ(fxen.clock_reads, 1 + 3);
	EXPECT_EQ(fxen.pending_clears, 1 + 3);
}

// A reply in before the op's first look at the flag (pciback on another CPU) has its event
// taken off the port too: left pending, it would run our handler and its late EOI as soon as
// the op lock gave this vCPU's interrupts back.
TEST_F(PartsTest, AReplyInAtOnceLeavesNoEventPending)
{
	uint32_t v = 0;
	ASSERT_EQ(read(kNic.devfn, 0x40, 2, &v), KCXX_PCIBIOS_SUCCESSFUL); // the device vetted
	fxen.answer_after_polls = 0;
	fxen.polls = fxen.pending_clears = 0;
	ASSERT_EQ(read(kNic.devfn, 0x40, 2, &v), KCXX_PCIBIOS_SUCCESSFUL);
	EXPECT_EQ(fxen.polls, 0);
	EXPECT_EQ(fxen.pending_clears, 1);
	EXPECT_FALSE(fxen.port_pending);
}

TEST_F(PartsTest, NoAnswerTimesOutWedgesTheChannelAndALateReplyFreesIt)
{
	fxen.silent = true;
	uint32_t v = 0;
	const uint64_t t0 = fxen.now_ns;
	EXPECT_EQ(read(kNic.devfn, 0x10, 4, &v), KCXX_PCIBIOS_DEVICE_NOT_FOUND);
	// Bounded: op_timeout_ms of (fake) time, not more than one poll slice over.
	EXPECT_GE(fxen.now_ns - t0, 2000000000ull);
	EXPECT_LT(fxen.now_ns - t0, 2200000000ull);
	EXPECT_TRUE(fxen.logged("config read of 0000:00:05.0 at 0x10 (4 bytes): no answer from "
				"pciback in op_timeout_ms"));
	// The backend still holds it: nothing new is written to the page.
	const int notifies = fxen.notifies;
	EXPECT_EQ(read(kNic.devfn, 0x10, 4, &v), KCXX_PCIBIOS_DEVICE_NOT_FOUND);
	EXPECT_EQ(fxen.notifies, notifies);
	EXPECT_TRUE(fxen.logged("pciback still holds an earlier op that timed out"));
	EXPECT_FALSE(cs.keepable());
	// pciback finally answers the old op: its reply is dropped, the next op goes through.
	sim.handle(conn.shared());
	fxen.silent = false;
	ASSERT_EQ(read(kNic.devfn, 0x02, 2, &v), KCXX_PCIBIOS_SUCCESSFUL);
	EXPECT_EQ(v, 0x10d3u);
	EXPECT_TRUE(cs.keepable());
	EXPECT_NE(head().find("timeouts 1 refused_wedged 1 late_replies 1"), std::string::npos)
	    << stats;
}

TEST_F(PartsTest, AReplyForAnotherDeviceIsRefusedAndCounted)
{
	sim.set_fault(SimBackend::Fault::WrongDevice);
	uint32_t v = 0;
	EXPECT_EQ(read(kNic.devfn, 0, 4, &v), KCXX_PCIBIOS_DEVICE_NOT_FOUND);
	EXPECT_TRUE(fxen.logged("backend reply refused"));
	EXPECT_NE(head().find("faults 1"), std::string::npos) << stats;
}

TEST_F(PartsTest, NothingIsSentWhenNotLive)
{
	cs.stop();
	uint32_t v = 0;
	EXPECT_EQ(read(kNic.devfn, 0, 4, &v), KCXX_PCIBIOS_DEVICE_NOT_FOUND);
	xen_pci_op req = {}, reply = {};
	req.cmd = XEN_PCI_OP_enable_msi;
	req.devfn = kNic.devfn;
	EXPECT_EQ(cs.msi_op(req, &reply), -KCXX_ENOTCONN);
	EXPECT_EQ(fxen.notifies, 0);
	EXPECT_FALSE(cs.keepable());
}

TEST_F(PartsTest, MsiOpsTakeTheSameCallPath)
{
	xen_pci_op req = {}, reply = {};
	req.cmd = XEN_PCI_OP_enable_msix;
	req.devfn = kNic.devfn;
	req.value = 2;
	req.msix_entries[0].entry = 0;
	req.msix_entries[1].entry = 1;
	ASSERT_EQ(cs.msi_op(req, &reply), 0);
	EXPECT_EQ(reply.err, XEN_PCI_ERR_success);
	EXPECT_NE(reply.msix_entries[0].vector, 0u);
	EXPECT_EQ(cs.msi_ops(), 1u);
	req.cmd = XEN_PCI_OP_disable_msix;
	fxen.silent = true;
	EXPECT_EQ(cs.msi_op(req, &reply), -KCXX_ETIMEDOUT);
	EXPECT_TRUE(fxen.logged("MSI op"));
	EXPECT_TRUE(fxen.logged("no answer from pciback in op_timeout_ms"));
	EXPECT_EQ(cs.msi_ops(), 1u);
}

TEST_F(PartsTest, HandOverRefusedKeepsTheConnection)
{
	conn.stop_events();
	EXPECT_FALSE(conn.hand_over()); // the fake keeper is full
	EXPECT_TRUE(conn.up());
	EXPECT_EQ(conn.shared(), fxen.page);
	EXPECT_EQ(fake.count("request_irq 33"), 1);
	EXPECT_TRUE(fxen.logged("cannot keep the connection for a reload"));
}

struct AerTest : PartsTest {
	int parent_storage = 0;
	struct device *ours = reinterpret_cast<struct device *>(&xdev_storage);

	void flag(uint32_t cmd, uint32_t domain, uint32_t b, uint32_t fn)
	{
		xen_pci_sharedinfo *sh = conn.shared();
		sh->aer_op.cmd = cmd;
		sh->aer_op.domain = domain;
		sh->aer_op.bus = b;
		sh->aer_op.devfn = fn;
		sh->aer_op.err = 1; // pci_channel_io_normal
		__atomic_fetch_or(&sh->flags, 1u << _XEN_PCIB_active, __ATOMIC_SEQ_CST);
		ASSERT_TRUE(conn.aer_requested());
	}
	void request(uint32_t cmd, uint32_t domain, uint32_t b, uint32_t fn)
	{
		flag(cmd, domain, b, fn);
		aer.serve();
		aer.poke();
		fxen.run_work();
	}
};

// Before serve() (the connection's devices not yet in place) and after hold() (they are going),
// a request waits in the page; serve() answers it.
TEST_F(AerTest, ARequestWaitsWhileHeldAndIsAnsweredOnceServed)
{
	fake.pci.push_back({0, 0, kNic.devfn, ours});
	flag(XEN_PCI_OP_aer_detected, 0, 0, kNic.devfn);
	EXPECT_FALSE(aer.poke());
	fxen.run_work();
	EXPECT_TRUE(conn.aer_requested());
	aer.serve();
	fxen.run_work();
	EXPECT_FALSE(conn.aer_requested());
	EXPECT_EQ(conn.shared()->aer_op.err, KCXX_PCI_ERS_RESULT_RECOVERED);
	aer.hold();
	flag(XEN_PCI_OP_aer_resume, 0, 0, kNic.devfn);
	EXPECT_FALSE(aer.poke());
	fxen.run_work();
	EXPECT_TRUE(conn.aer_requested());
	EXPECT_EQ(aer.requests(), 1u);
}

TEST_F(AerTest, ARequestForOurDeviceIsAnsweredWithTheDriversVerdict)
{
	fake.pci.push_back({0, 0, kNic.devfn, ours});
	request(XEN_PCI_OP_aer_detected, 0, 0, kNic.devfn);
	EXPECT_EQ(conn.shared()->aer_op.err, KCXX_PCI_ERS_RESULT_RECOVERED);
	EXPECT_FALSE(conn.aer_requested());
	EXPECT_EQ(fxen.port_notifies, 1);
	EXPECT_EQ(aer.requests(), 1u);
	EXPECT_EQ(aer.unhandled(), 0u);
}

TEST_F(AerTest, ARequestForAnotherDomainsDeviceIsAnsweredNone)
{
	int other = 0;
	fake.pci.push_back({0, 0, kNic.devfn, reinterpret_cast<struct device *>(&other)});
	request(XEN_PCI_OP_aer_detected, 0, 0, kNic.devfn);
	EXPECT_EQ(conn.shared()->aer_op.err, KCXX_PCI_ERS_RESULT_NONE);
	EXPECT_FALSE(conn.aer_requested());
	EXPECT_EQ(aer.unhandled(), 1u);
	EXPECT_TRUE(fxen.logged("no such device of ours"));
}

TEST_F(AerTest, AMalformedRequestIsAnsweredNone)
{
	request(XEN_PCI_OP_aer_detected, 0x10000, 0, 0);
	EXPECT_EQ(conn.shared()->aer_op.err, KCXX_PCI_ERS_RESULT_NONE);
	EXPECT_EQ(aer.unhandled(), 1u);
	request(12345, 0, 0, 0);
	EXPECT_EQ(aer.unhandled(), 2u);
	EXPECT_TRUE(fxen.logged("malformed AER request"));
	EXPECT_EQ(fxen.port_notifies, 2);
}

} // namespace
