// SPDX-License-Identifier: GPL-2.0
// The owners release exactly what they hold, once, in the right way.
#include <gtest/gtest.h>

#include "fake_kernel.hpp"
#include "host_runtime.hpp"
#include "kcxx/alloc.hpp"
#include "kcxx/pci_ref.hpp"
#include "kcxx/sync.hpp"
#include "kcxx/xen.hpp"

namespace {
struct xenbus_device *const kDev = reinterpret_cast<struct xenbus_device *>(0x1000);
enum kcxx_irqreturn handler(int, void *) { return KCXX_IRQ_HANDLED; }

class Owners : public ::testing::Test {
      protected:
	void SetUp() override { fake.reset(); }
};
} // namespace

TEST_F(Owners, TransactionAbortsUnlessCommitted)
{
	{
		auto t = xen::Transaction::start();
		ASSERT_TRUE(t.ok());
	}
	EXPECT_EQ(fake.count("transaction_abort 5"), 1);
	{
		auto t = xen::Transaction::start();
		ASSERT_TRUE(t.ok());
		EXPECT_TRUE(t.get()->commit().ok());
		EXPECT_EQ(t.get()->commit().error(), -KCXX_EINVAL); // only once
	}
	EXPECT_EQ(fake.count("transaction_commit"), 1);
	EXPECT_EQ(fake.count("transaction_abort"), 1);
}

TEST_F(Owners, TransactionCommitReportsEagainForTheRetry)
{
	fake.transaction_end_result = -KCXX_EAGAIN;
	auto t = xen::Transaction::start();
	EXPECT_EQ(t.get()->commit().error(), -KCXX_EAGAIN);
}

TEST_F(Owners, SharedPageIsTornDownOnceEvenAfterMoves)
{
	{
		auto r = xen::SharedPage::create(kDev);
		ASSERT_TRUE(r.ok());
		xen::SharedPage a = kcxx::move(*r.get());
		EXPECT_EQ(a.gref(), 77u);
		xen::SharedPage b = kcxx::move(a);
		EXPECT_FALSE(a);
		EXPECT_TRUE(b);
	}
	EXPECT_EQ(fake.count("teardown_ring"), 1);
}

TEST_F(Owners, FailedSharedPageReleasesNothing)
{
	fake.fail_setup_ring = KCXX_ENOMEM;
	EXPECT_EQ(xen::SharedPage::create(kDev).error(), -KCXX_ENOMEM);
	EXPECT_EQ(fake.count("teardown_ring"), 0);
}

TEST_F(Owners, BoundPortIsClosedByUnbindNotFreedTwice)
{
	{
		auto ch = xen::EventChannel::create(kDev);
		ASSERT_TRUE(ch.ok());
		xen::IrqBinding irq;
		ASSERT_TRUE(irq.bind(*ch.get(), xen::Eoi::Late, "t", handler, nullptr).ok());
		EXPECT_EQ(irq.irq(), 33);
		EXPECT_EQ(irq.bind(*ch.get(), xen::Eoi::Late, "t", handler, nullptr).error(), -KCXX_EBUSY);
	}
	EXPECT_EQ(fake.count("bind_lateeoi 9"), 1);
	EXPECT_EQ(fake.count("unbind 33"), 1);
	// The in-tree frontend frees the port after unbinding it: a double close. Not here.
	EXPECT_EQ(fake.count("free_evtchn"), 0);
}

TEST_F(Owners, PortIsFreedWhenBindingFails)
{
	fake.fail_bind = KCXX_ENOSPC;
	{
		auto ch = xen::EventChannel::create(kDev);
		ASSERT_TRUE(ch.ok());
		xen::IrqBinding irq;
		EXPECT_EQ(irq.bind(*ch.get(), xen::Eoi::Auto, "t", handler, nullptr).error(), -KCXX_ENOSPC);
		EXPECT_FALSE(irq);
	}
	EXPECT_EQ(fake.count("unbind"), 0);
	EXPECT_EQ(fake.count("free_evtchn 9"), 1);
}

TEST_F(Owners, GrantEndsOnce)
{
	{
		auto g = xen::GrantRef::create(0, nullptr, false);
		ASSERT_TRUE(g.ok());
		xen::GrantRef moved = kcxx::move(*g.get());
		EXPECT_EQ(moved.ref(), 12u);
	}
	EXPECT_EQ(fake.count("end_access 12"), 1);
}

TEST_F(Owners, XsStringErrorsAndOwnership)
{
	const int live = host_allocs_live;
	{
		auto s = xen::XsString::read(KCXX_XBT_NIL, "backend", "state");
		ASSERT_TRUE(s.ok());
		EXPECT_STREQ(s.get()->c_str(), "4");
		EXPECT_EQ(s.get()->size(), 1u);
		EXPECT_EQ(host_allocs_live, live + 1);
	}
	EXPECT_EQ(host_allocs_live, live);
	fake.read_error = KCXX_ENOENT;
	EXPECT_EQ(xen::XsString::read(KCXX_XBT_NIL, "backend", "root_num").error(), -KCXX_ENOENT);
	fake.read_error = 0;
	fake.read_value = nullptr;
	EXPECT_EQ(xen::XsString::read(KCXX_XBT_NIL, "backend", "x").error(), -KCXX_ENOENT);
}

kcxx::LockClass test_lock_class{"test.lock", {}};
kcxx::LockClass other_lock_class{"test.other_lock", {}};

TEST_F(Owners, SpinGuardPairsLockAndUnlock)
{
	kcxx::SpinLock lock{test_lock_class};
	{
		kcxx::SpinGuard g(lock);
		EXPECT_EQ(fake.locks_held, 1);
	}
	EXPECT_EQ(fake.locks_held, 0);
}

TEST_F(Owners, EachLockGetsItsOwnLockdepClass)
{
	// lockdep keys its classes by the key's address: each lock is initialised with its own
	// name and its own static key, never one shared by every lock of a module.
	fake.calls.clear();
	kcxx::SpinLock a{test_lock_class};
	kcxx::SpinLock b{other_lock_class};
	auto key = [](const kcxx::LockClass &c) {
		return std::to_string(reinterpret_cast<uintptr_t>(&c.key));
	};
	ASSERT_EQ(fake.calls.size(), 2u);
	EXPECT_EQ(fake.calls[0], "spin_lock_init test.lock " + key(test_lock_class));
	EXPECT_EQ(fake.calls[1], "spin_lock_init test.other_lock " + key(other_lock_class));
	EXPECT_NE(key(test_lock_class), key(other_lock_class));
}

TEST_F(Owners, ParkedConnectionIsNeitherClosedNorFreed)
{
	// Parking (a module reload) must keep the backend's channel and page alive: no unbind,
	// no teardown; the adopter owns them again and releases them once.
	void *vaddr = nullptr;
	uint32_t gref = 0;
	int irq = -1;
	uint32_t port = 0;
	{
		auto page = xen::SharedPage::create(kDev);
		ASSERT_TRUE(page.ok());
		auto ch = xen::EventChannel::create(kDev);
		ASSERT_TRUE(ch.ok());
		xen::IrqBinding b;
		ASSERT_TRUE(b.bind(*ch.get(), xen::Eoi::Late, "t", handler, nullptr).ok());
		b.park(&irq, &port);
		page.get()->release(&vaddr, &gref);
	}
	EXPECT_EQ(fake.count("free_irq 33"), 1);
	EXPECT_EQ(fake.count("unbind"), 0);
	EXPECT_EQ(fake.count("free_evtchn"), 0);
	EXPECT_EQ(fake.count("teardown_ring"), 0);
	EXPECT_EQ(irq, 33);
	EXPECT_EQ(port, 9u);
	ASSERT_NE(vaddr, nullptr);
	{
		auto page = xen::SharedPage::adopt(vaddr, gref);
		xen::IrqBinding b;
		ASSERT_TRUE(b.adopt(irq, port, "t", handler, nullptr).ok());
		EXPECT_EQ(b.irq(), 33);
		EXPECT_EQ(page.gref(), 77u);
	}
	EXPECT_EQ(fake.count("request_irq 33"), 1);
	EXPECT_EQ(fake.count("unbind 33"), 1);
	EXPECT_EQ(fake.count("teardown_ring 77"), 1);
}

TEST_F(Owners, FailedAdoptLeavesNothingBound)
{
	fake.fail_bind = KCXX_EBUSY;
	xen::IrqBinding b;
	EXPECT_EQ(b.adopt(33, 9, "t", handler, nullptr).error(), -KCXX_EBUSY);
	EXPECT_FALSE(b);
	b.unbind();
	EXPECT_EQ(fake.count("unbind"), 0);
}

// xen::vanished's decision (the shim only reads the facts).
TEST(XenbusPresence, VanishedWhenDirectoryRemovedOrReset)
{
	kcxx_xenbus_presence p = {};
	p.registered = true;
	p.state_read = 1;
	p.state = XenbusStateConnected;
	p.ours = XenbusStateConnected;
	EXPECT_FALSE(xen::presence_says_vanished(p)) << "our own directory, as we left it";

	kcxx_xenbus_presence gone = p;
	gone.state_read = -KCXX_ENOENT;
	EXPECT_TRUE(xen::presence_says_vanished(gone)) << "directory removed";

	kcxx_xenbus_presence reset = p;
	reset.state = XenbusStateInitialising;
	EXPECT_TRUE(xen::presence_says_vanished(reset)) << "a new device's directory";

	kcxx_xenbus_presence fresh = reset;
	fresh.ours = XenbusStateInitialising;
	EXPECT_FALSE(xen::presence_says_vanished(fresh)) << "we never left Initialising";

	kcxx_xenbus_presence core = p;
	core.core_vanished = true;
	EXPECT_TRUE(xen::presence_says_vanished(core)) << "the 2026 core's flag";

	kcxx_xenbus_presence unreg = p;
	unreg.registered = false;
	EXPECT_TRUE(xen::presence_says_vanished(unreg)) << "unregistered by the core";

	kcxx_xenbus_presence err = p;
	err.state_read = -KCXX_ENOMEM;
	EXPECT_FALSE(xen::presence_says_vanished(err)) << "a failed read is not a vanish";
}

TEST_F(Owners, PciDevRefFindsOnlyTheOwnersFunctionsAndPutsOnce)
{
	struct device *ours = reinterpret_cast<struct device *>(0x1000);
	struct device *other = reinterpret_cast<struct device *>(0x2000);
	fake.pci = {{0, 0, 0x10, ours}, {0, 1, 0x00, other}};
	{
		auto mine = kcxx::PciDevRef::find_under(ours, 0, 0, 0x10);
		ASSERT_TRUE(mine);
		// Another frontend's function (or the host's): found, then let go at once.
		EXPECT_FALSE(kcxx::PciDevRef::find_under(ours, 0, 1, 0x00));
		EXPECT_FALSE(kcxx::PciDevRef::find_under(ours, 0, 0, 0x11)); // nothing there
		EXPECT_EQ(fake.count("pci_get"), 2);
		EXPECT_EQ(fake.count("pci_put"), 1);
		kcxx::PciDevRef moved = static_cast<kcxx::PciDevRef &&>(mine);
		EXPECT_FALSE(mine);
		EXPECT_TRUE(moved);
	}
	EXPECT_EQ(fake.count("pci_put"), 2); // every reference taken is dropped, once
}

namespace {
struct Counted {
	static inline int alive = 0, built = 0;
	int value = 7;
	Counted() { ++alive, ++built; }
	~Counted() { --alive; }
};
// As a module's global: constant-initialised (constexpr) and with no exit-time destructor.
constexpr kcxx::StaticBox<Counted> kProbe{};
static_assert(__has_trivial_destructor(kcxx::StaticBox<Counted>));
kcxx::StaticBox<Counted> module_state;
} // namespace

TEST_F(Owners, StaticBoxBuildsAtCreateAndTearsDownOnceAtDestroy)
{
	EXPECT_FALSE(kProbe);
	Counted::alive = Counted::built = 0;
	EXPECT_FALSE(module_state);
	module_state.create();
	ASSERT_TRUE(module_state);
	EXPECT_EQ(module_state->value, 7);
	EXPECT_EQ(Counted::alive, 1);
	module_state.create(); // a second create replaces, never leaks the first
	EXPECT_EQ(Counted::alive, 1);
	EXPECT_EQ(Counted::built, 2);
	module_state.destroy();
	module_state.destroy(); // idempotent, as an exit after a failed init needs
	EXPECT_EQ(Counted::alive, 0);
	EXPECT_FALSE(module_state);
}
