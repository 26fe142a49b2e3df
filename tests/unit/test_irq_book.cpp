// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include "lib/irq_book.hpp"

using namespace pcifront;

namespace
{
// What xpf_evtchn_track does: on -ENOSPC, add a chunk (allocated outside the lock) and retry.
kcxx::Result<int> track(IrqBook &book, BindingKind kind, int n, const char *owner)
{
	auto r = book.track(kind, n, n, n, owner);
	if (r.ok() || r.error() != -KCXX_ENOSPC || book.full())
		return r;
	auto c = kcxx::try_make_box<BindingChunk>(KCXX_GFP_KERNEL);
	if (!c.ok())
		return kcxx::err(c.error());
	auto chunk = kcxx::move(c).value_assumed_ok_or_bug();
	EXPECT_TRUE(book.grow(chunk));
	return book.track(kind, n, n, n, owner);
}
} // namespace

TEST(IrqBook, AnEmptyBookHoldsNoSlot)
{
	IrqBook book;
	EXPECT_EQ(book.track(BindingKind::Pirq, 1, 2, 3, "x").error(), -KCXX_ENOSPC);
	EXPECT_FALSE(book.full());
	EXPECT_EQ(book.untrack(0).error(), -KCXX_ENOENT);
	kcxx::Box<BindingChunk> none;
	EXPECT_FALSE(book.grow(none));
}

TEST(IrqBook, TracksAndReleases)
{
	IrqBook book;
	auto h = track(book, BindingKind::OpChannel, 7, "device/pci/0");
	ASSERT_TRUE(h.ok());
	auto h2 = track(book, BindingKind::MsixPirq, 55, "0000:00:04.0");
	ASSERT_TRUE(h2.ok());
	EXPECT_EQ(book.count(), 2);
	int seen = 0;
	book.for_each([&](int, const Binding &b) {
		++seen;
		if (b.kind == BindingKind::MsixPirq) {
			EXPECT_EQ(b.pirq, 55);
			EXPECT_STREQ(b.owner, "0000:00:04.0");
		}
	});
	EXPECT_EQ(seen, 2);
	EXPECT_TRUE(book.untrack(*h.get()).ok());
	EXPECT_EQ(book.untrack(*h.get()).error(), -KCXX_ENOENT); // double untrack caught
	EXPECT_EQ(book.untrack(-1).error(), -KCXX_ENOENT);
	EXPECT_EQ(book.untrack(IrqBook::kCapacity).error(), -KCXX_ENOENT);
	EXPECT_EQ(book.count(), 1);
	EXPECT_EQ(book.high_water(), 2);
	EXPECT_EQ(book.total_tracked(), 2u);
}

TEST(IrqBook, FullTableIsAnErrorNotACrash)
{
	IrqBook book;
	for (int i = 0; i < IrqBook::kCapacity; i++)
		ASSERT_TRUE(track(book, BindingKind::Pirq, i, "x").ok());
	EXPECT_TRUE(book.full());
	EXPECT_EQ(track(book, BindingKind::Pirq, 0, "x").error(), -KCXX_ENOSPC);
	// A freed slot is found again, in whichever chunk it is.
	ASSERT_TRUE(book.untrack(IrqBook::kCapacity - 1).ok());
	auto again = track(book, BindingKind::Pirq, 1, "y");
	ASSERT_TRUE(again.ok());
	EXPECT_EQ(*again.get(), IrqBook::kCapacity - 1);
	EXPECT_EQ(book.track(BindingKind::Free, 0, 0, 0, "x").error(), -KCXX_EINVAL);
}

TEST(IrqBook, LongOwnerNamesAreTruncated)
{
	IrqBook book;
	ASSERT_TRUE(track(book, BindingKind::Pirq, 1, "a-very-long-owner-name-beyond-the-slot").ok());
	book.for_each([](int, const Binding &b) { EXPECT_EQ(std::string(b.owner).size(), sizeof(b.owner) - 1); });
}
