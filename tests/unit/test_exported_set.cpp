// SPDX-License-Identifier: GPL-2.0
// The backend's list of exported functions (lib/exported_set.hpp): which config reads may be
// answered "no device" without a round trip, and that a list that is not whole decides nothing.
#include <gtest/gtest.h>

#include "lib/exported_set.hpp"
#include "map_reader.hpp"

using namespace pcifront;

namespace
{

const Bdf kRoot0{0, 0, 0};
const Bdf kRoot1{0, 1, 0};

MapReader listed(std::initializer_list<std::pair<const char *, const char *>> devs)
{
	MapReader r;
	int i = 0;
	for (auto &[state, vdev] : devs) {
		const std::string n = std::to_string(i++);
		if (state)
			r.nodes["state-" + n] = state;
		if (vdev)
			r.nodes["vdev-" + n] = vdev;
	}
	r.nodes["num_devs"] = std::to_string(i);
	return r;
}

// The frontend's way: one reading of the list (read_hotplug_list), then the set from it.
Result<void> learn(ExportedSet &s, MapReader &r, const Bdf *roots, int n)
{
	static HotplugList list; // 256 entries
	if (auto rr = read_hotplug_list(r, &list); !rr.ok()) {
		s.forget();
		return rr;
	}
	return s.learn(list, roots, n);
}

} // namespace

TEST(ExportedSet, OnlyListedFunctionsOfARootArePresent)
{
	auto r = listed({{"4", "0000:00:00.0"}, {"4", "0000:00:01.3"}, {"3", "0000:01:00.0"}});
	ExportedSet s;
	const Bdf roots[] = {kRoot0, kRoot1};
	ASSERT_TRUE(learn(s, r, roots, 2).ok());
	EXPECT_TRUE(s.known());
	EXPECT_EQ(s.listed(), 3);
	EXPECT_FALSE(s.absent(Bdf{0, 0, devfn(0, 0)}));
	EXPECT_FALSE(s.absent(Bdf{0, 0, devfn(1, 3)}));
	EXPECT_FALSE(s.absent(Bdf{0, 1, devfn(0, 0)}));
	EXPECT_TRUE(s.absent(Bdf{0, 0, devfn(1, 0)})); // function 0 of a slot with only fn 3
	EXPECT_TRUE(s.absent(Bdf{0, 0, devfn(31, 7)}));
	EXPECT_TRUE(s.absent(Bdf{0, 1, devfn(2, 0)}));
	// Not a root bus, or another segment: always the backend's to answer.
	EXPECT_FALSE(s.absent(Bdf{0, 2, devfn(5, 0)}));
	EXPECT_FALSE(s.absent(Bdf{1, 0, devfn(5, 0)}));
	// Each node read once.
	for (auto &[k, n] : r.reads)
		EXPECT_EQ(n, 1) << k;
}

TEST(ExportedSet, AnEmptyRootHasNothingPresent)
{
	auto r = listed({{"4", "0000:00:02.0"}});
	ExportedSet s;
	const Bdf roots[] = {kRoot0, kRoot1};
	ASSERT_TRUE(learn(s, r, roots, 2).ok());
	EXPECT_TRUE(s.absent(Bdf{0, 1, devfn(0, 0)}));
	EXPECT_FALSE(s.absent(Bdf{0, 0, devfn(2, 0)}));
}

TEST(ExportedSet, LeavingDevicesNeedNoVdevAndStayListedWhenNamed)
{
	// Being detached: no vdev-N is not a hole in the list; a named one stays present (the
	// set may hold more than is exported, never less).
	auto r = listed({{"5", nullptr}, {"6", "0000:00:03.0"}, {"4", "0000:00:02.0"}});
	ExportedSet s;
	ASSERT_TRUE(learn(s, r, &kRoot0, 1).ok());
	EXPECT_FALSE(s.absent(Bdf{0, 0, devfn(3, 0)}));
	EXPECT_FALSE(s.absent(Bdf{0, 0, devfn(2, 0)}));
	EXPECT_TRUE(s.absent(Bdf{0, 0, devfn(4, 0)}));
}

TEST(ExportedSet, AListThatIsNotWholeDecidesNothing)
{
	const char *bad_vdevs[] = {
	    nullptr,	     "",  "0000:00:02", "0000:00:20.0", "0000:00:02.8", "10000:00:02.0",
	    "0000:100:02.0", "zz"};
	for (const char *v : bad_vdevs) {
		// An entry that should be exported (or whose state cannot be read) without a
		// well-formed vdev-N.
		const char *states[] = {"4", "3", "1", nullptr, "x"};
		for (const char *st : states) {
			auto r = listed({{"4", "0000:00:00.0"}, {st, v}});
			ExportedSet s;
			EXPECT_FALSE(learn(s, r, &kRoot0, 1).ok())
			    << (v ? v : "(none)") << " " << (st ? st : "-");
			EXPECT_FALSE(s.known());
			EXPECT_EQ(s.listed(), 0);
			EXPECT_FALSE(s.absent(Bdf{0, 0, devfn(7, 0)}));
		}
	}
	for (const char *num : {"", "-1", "257", "99999999999", "1x"}) {
		MapReader r;
		r.nodes = {{"num_devs", num}, {"state-0", "4"}, {"vdev-0", "0000:00:00.0"}};
		ExportedSet s;
		EXPECT_FALSE(learn(s, r, &kRoot0, 1).ok()) << num;
		EXPECT_FALSE(s.absent(Bdf{0, 0, devfn(7, 0)}));
	}
	MapReader none;
	ExportedSet s;
	EXPECT_FALSE(learn(s, none, &kRoot0, 1).ok());
	EXPECT_FALSE(s.absent(Bdf{0, 0, devfn(7, 0)}));
	// Too many roots for the set: unknown, not truncated.
	auto r = listed({{"4", "0000:00:00.0"}});
	Bdf many[ExportedSet::kRoots + 1] = {};
	EXPECT_FALSE(learn(s, r, many, ExportedSet::kRoots + 1).ok());
	EXPECT_FALSE(s.absent(Bdf{0, 0, devfn(7, 0)}));
}

TEST(ExportedSet, ALaterFailedListForgetsTheEarlierOne)
{
	ExportedSet s;
	auto good = listed({{"4", "0000:00:00.0"}});
	ASSERT_TRUE(learn(s, good, &kRoot0, 1).ok());
	EXPECT_TRUE(s.absent(Bdf{0, 0, devfn(9, 0)}));
	auto bad = listed({{"4", "0000:00:00.0"}, {"3", nullptr}});
	EXPECT_FALSE(learn(s, bad, &kRoot0, 1).ok());
	EXPECT_FALSE(s.absent(Bdf{0, 0, devfn(9, 0)}));
}
