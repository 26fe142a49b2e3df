// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include "lib/irq_book.hpp"

using namespace pcifront;

TEST(IrqBook, TracksAndReleases)
{
	IrqBook book;
	auto h = book.track(BindingKind::OpChannel, 7, 30, -1, "device/pci/0");
	ASSERT_TRUE(h.ok());
	auto h2 = book.track(BindingKind::MsixPirq, 9, 31, 55, "0000:00:04.0");
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
		ASSERT_TRUE(book.track(BindingKind::Pirq, i, i, i, "x").ok());
	EXPECT_EQ(book.track(BindingKind::Pirq, 0, 0, 0, "x").error(), -KCXX_ENOSPC);
	EXPECT_EQ(book.track(BindingKind::Free, 0, 0, 0, "x").error(), -KCXX_EINVAL);
}

TEST(IrqBook, LongOwnerNamesAreTruncated)
{
	IrqBook book;
	ASSERT_TRUE(book.track(BindingKind::Pirq, 1, 2, 3, "a-very-long-owner-name-beyond-the-slot").ok());
	book.for_each([](int, const Binding &b) { EXPECT_EQ(std::string(b.owner).size(), sizeof(b.owner) - 1); });
}
