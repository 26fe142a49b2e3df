// SPDX-License-Identifier: GPL-2.0
// The op channel against a simulated backend that answers at once, late, or never.
#include <gtest/gtest.h>

#include "lib/op_channel.hpp"
#include "lib/pciif.hpp"
#include "sim_backend.hpp"

using namespace pcifront;

namespace {

// A transport whose clock advances 1 ms per wait(), and whose backend answers after
// @answer_after waits (never when negative), or only when told to.
struct SimTransport {
	SimBackend be;
	xen_pci_sharedinfo sh = {};
	uint64_t clock = 0;
	int answer_after = 0;
	int waits_since_notify = 0;
	int waits = 0;
	bool pending = false;
	xen_pci_op inflight = {}; // the backend's own copy of the op it is working on

	xen_pci_sharedinfo *page() { return &sh; }
	bool active() { return sh.flags & XEN_PCIF_active; }
	void set_active() { sh.flags |= XEN_PCIF_active; }
	void notify()
	{
		if (!pending)
			inflight = sh.op; // pciback copies the op when it starts on it
		pending = true;
		waits_since_notify = 0;
		if (answer_after == 0)
			answer();
	}
	uint64_t last_sent = ~0ull;
	uint64_t now_ns() { return clock; }
	void wait(uint64_t sent, uint64_t now, uint64_t deadline)
	{
		++waits;
		last_sent = sent;
		EXPECT_LE(sent, now);
		clock = std::min(clock + 1000000, deadline);
		if (pending && answer_after > 0 && ++waits_since_notify >= answer_after)
			answer();
	}
	void answer()
	{
		// Works on its copy, then writes the result over whatever the page holds now.
		xen_pci_sharedinfo work = sh;
		work.op = inflight;
		be.handle(&work);
		sh.op = work.op;
		sh.flags &= ~static_cast<uint32_t>(XEN_PCIF_active);
		pending = false;
	}
};

const Bdf kNic{0, 0, devfn(2, 0)};
constexpr uint64_t kTimeout = 50 * 1000000ull; // 50 ms of simulated time

xen_pci_op read_op(int offset) { return *make_conf_op(XEN_PCI_OP_conf_read, kNic, offset, 4, 0).get(); }

} // namespace

TEST(OpChannel, AnswerIsCopiedOutAndChecked)
{
	SimTransport t;
	t.be.add_device(kNic, 0x8086, 0x100e);
	OpChannel<SimTransport> ch(t);
	xen_pci_op reply;
	const xen_pci_op req = read_op(0);
	ASSERT_TRUE(ch.call(req, &reply, kTimeout).ok());
	ReplyFault f;
	auto r = check_conf_reply(req, reply, &f);
	ASSERT_TRUE(r.ok());
	EXPECT_EQ(r.get()->value, 0x100e8086u);
	EXPECT_EQ(ch.stats().ops, 1u);
}

TEST(OpChannel, SlowBackendWithinTheDeadlineIsFine)
{
	SimTransport t;
	t.be.add_device(kNic, 0x8086, 0x100e);
	t.answer_after = 10; // 10 ms
	OpChannel<SimTransport> ch(t);
	xen_pci_op reply;
	const uint64_t sent = t.clock;
	EXPECT_TRUE(ch.call(read_op(0), &reply, kTimeout).ok());
	EXPECT_EQ(t.waits, 10);
	// Every wait learned when the op went out (the spin phase counts from there).
	EXPECT_EQ(t.last_sent, sent);
}

TEST(OpChannel, SilentBackendTimesOutInBoundedTime)
{
	SimTransport t;
	t.be.add_device(kNic, 0x8086, 0x100e);
	t.answer_after = -1; // never
	OpChannel<SimTransport> ch(t);
	xen_pci_op reply;
	EXPECT_EQ(ch.call(read_op(0), &reply, kTimeout).error(), -KCXX_ETIMEDOUT);
	EXPECT_LE(t.waits, 51);
	EXPECT_TRUE(ch.wedged());
	// Still silent: the next op is refused at once instead of overwriting the page.
	const int waits = t.waits;
	EXPECT_EQ(ch.call(read_op(4), &reply, kTimeout).error(), -KCXX_EBUSY);
	EXPECT_EQ(t.waits, waits);
	EXPECT_EQ(ch.stats().refused_wedged, 1u);
}

TEST(OpChannel, LateReplyIsNeverTakenForTheNextOp)
{
	SimTransport t;
	auto &dev = t.be.add_device(kNic, 0x8086, 0x100e);
	dev.cfg[0x2c] = 0xaa; // subsystem vendor at 0x2c: a value distinct from the IDs at 0x0
	t.answer_after = -1;
	OpChannel<SimTransport> ch(t);
	xen_pci_op reply;
	ASSERT_EQ(ch.call(read_op(0), &reply, kTimeout).error(), -KCXX_ETIMEDOUT);

	// While the backend still holds the old op, a new one must not be written into the page:
	// the old answer would land on top of it and be read as the new op's reply.
	t.answer_after = 0;
	EXPECT_EQ(ch.call(read_op(0x2c), &reply, kTimeout).error(), -KCXX_EBUSY);
	EXPECT_EQ(t.sh.op.offset, 0) << "the page was overwritten while the backend held an op";

	// The backend wakes up and answers the op we gave up on (offset 0).
	t.answer();
	const xen_pci_op req = read_op(0x2c);
	ASSERT_TRUE(ch.call(req, &reply, kTimeout).ok());
	ReplyFault f;
	auto r = check_conf_reply(req, reply, &f);
	ASSERT_TRUE(r.ok()) << reply_fault_name(f);
	EXPECT_EQ(r.get()->value, 0xaau) << "got the stale answer for offset 0";
	EXPECT_EQ(ch.stats().late_replies, 1u);
	EXPECT_FALSE(ch.wedged());
}

TEST(OpChannel, AReplyForAnotherRegisterIsCaughtByTheCheck)
{
	// Without the wedge (a backend that answers a stale op with no flag discipline), the echo
	// check still refuses a reply that names another register.
	SimTransport t;
	t.be.add_device(kNic, 0x8086, 0x100e);
	t.be.set_fault(SimBackend::Fault::WrongOffset);
	OpChannel<SimTransport> ch(t);
	xen_pci_op reply;
	const xen_pci_op req = read_op(0);
	ASSERT_TRUE(ch.call(req, &reply, kTimeout).ok());
	ReplyFault f;
	EXPECT_EQ(check_conf_reply(req, reply, &f).error(), -KCXX_EPROTO);
	EXPECT_EQ(f, ReplyFault::WrongOffset);
}
