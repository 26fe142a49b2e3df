// SPDX-License-Identifier: GPL-2.0
#include <cstring>
#include <map>
#include <string>
#include <gtest/gtest.h>

#include "lib/hotplug_list.hpp"
#include "map_reader.hpp"

using namespace pcifront;

namespace {

MapReader two_devices(const char *s0, const char *s1)
{
	MapReader r;
	r.nodes = {{"num_devs", "2"},	    {"state-0", s0}, {"vdev-0", "0000:00:00.0"},
		   {"dev-0", "0000:00:02.0"}, {"state-1", s1}, {"vdev-1", "0000:00:01.0"},
		   {"dev-1", "0000:00:04.0"}};
	return r;
}

} // namespace

TEST(HotplugList, IndexKeys)
{
	char k[16];
	format_index_key(k, sizeof(k), "state-", 0);
	EXPECT_STREQ(k, "state-0");
	format_index_key(k, sizeof(k), "vdev-", 255);
	EXPECT_STREQ(k, "vdev-255");
	format_index_key(k, sizeof(k), "state-", 4294967295u);
	EXPECT_STREQ(k, "state-429496729"); // truncated, still terminated
	format_index_key(k, 4, "state-", 7);
	EXPECT_STREQ(k, "sta");
}

TEST(HotplugList, AttachAndDetachAreSortedOut)
{
	auto r = two_devices("3", "5"); // dev 0 exported to us, dev 1 being detached
	HotplugList l;
	ASSERT_TRUE(read_hotplug_list(r, &l).ok());
	EXPECT_EQ(l.num_devs, 2u);
	EXPECT_EQ(l.entries[0].action, HotplugAction::Present);
	EXPECT_EQ(l.entries[1].action, HotplugAction::Detach);
	EXPECT_EQ(l.entries[1].vdev.devfn, devfn(1, 0));
	EXPECT_EQ(l.count(HotplugAction::Detach), 1u);
	EXPECT_EQ(l.count(HotplugAction::Present), 1u);
	EXPECT_EQ(l.faults(), 0u);
	for (const auto &[key, n] : r.reads)
		EXPECT_EQ(n, 1) << key << " read more than once";
	EXPECT_EQ(r.reads.count("dev-0"), 0u) << "the guest acts on vdev-N only";
}

TEST(HotplugList, EntriesStillBeingExportedAreLeftAlone)
{
	auto r = two_devices("1", "4");
	r.nodes.erase("vdev-0"); // pciback writes vdev-N when it exports the device
	HotplugList l;
	ASSERT_TRUE(read_hotplug_list(r, &l).ok());
	EXPECT_EQ(l.count(HotplugAction::Present) + l.count(HotplugAction::Detach), 0u);
	EXPECT_EQ(l.faults(), 0u);
	// Read (once) all the same, for the exported set; no vdev-N yet is no fault here.
	EXPECT_EQ(r.reads["vdev-0"], 1);
	EXPECT_EQ(l.entries[0].vdev_err, -KCXX_ENOENT);
}

TEST(HotplugList, UnusableListFails)
{
	HotplugList l;
	for (const char *bad : {"", "abc", "-1", "257", "1 ", "0x2"}) {
		MapReader r;
		r.nodes["num_devs"] = bad;
		EXPECT_FALSE(read_hotplug_list(r, &l).ok()) << '"' << bad << '"';
		EXPECT_EQ(l.num_devs, 0u);
	}
	MapReader none;
	auto res = read_hotplug_list(none, &l);
	EXPECT_EQ(res.error(), -KCXX_ENOENT);
	MapReader huge;
	huge.nodes["num_devs"] = std::string(200, '1');
	EXPECT_FALSE(read_hotplug_list(huge, &l).ok());
}

TEST(HotplugList, BadEntriesAreMarkedAndTheRestStands)
{
	MapReader r;
	r.nodes = {{"num_devs", "7"},
		   {"state-0", "5"},	{"vdev-0", "0000:00:00.0"}, // good detach
		   {"state-1", "9"},	{"vdev-1", "0000:00:01.0"}, // not a XenbusState
		   {"state-2", "5"}, // Closing without vdev-2
		   {"state-3", "5"},	{"vdev-3", "0:0:0"},	    // malformed
		   {"state-4", "5"},	{"vdev-4", "0000:00:00.0"}, // same as entry 0
		   {"state-5", "3"},	{"vdev-5", "0000:00:00.0"}, // present: other action, fine
		   /* state-6 missing */ {"vdev-6", "0000:00:06.0"}};
	HotplugList l;
	ASSERT_TRUE(read_hotplug_list(r, &l).ok());
	EXPECT_EQ(l.entries[0].fault, HotplugFault::None);
	EXPECT_EQ(l.entries[1].fault, HotplugFault::BadState);
	EXPECT_EQ(l.entries[2].fault, HotplugFault::NoVdev);
	EXPECT_EQ(l.entries[3].fault, HotplugFault::BadVdev);
	EXPECT_EQ(l.entries[4].fault, HotplugFault::Duplicate);
	EXPECT_EQ(l.entries[5].fault, HotplugFault::None);
	EXPECT_EQ(l.entries[6].fault, HotplugFault::BadState);
	EXPECT_EQ(l.faults(), 5u);
	EXPECT_EQ(l.count(HotplugAction::Detach), 1u);
	EXPECT_EQ(l.count(HotplugAction::Present), 1u);
	for (int i = 0; i < 7; ++i)
		EXPECT_STRNE(hotplug_fault_name(l.entries[i].fault), "?");
}

TEST(HotplugList, LargestListIsBounded)
{
	MapReader r;
	r.nodes["num_devs"] = std::to_string(kMaxDevs);
	for (uint32_t i = 0; i < kMaxDevs; ++i) {
		r.nodes["state-" + std::to_string(i)] = "5";
		char v[16];
		std::snprintf(v, sizeof(v), "0000:%02x:%02x.%u", i / 32, i % 32, 0u);
		r.nodes["vdev-" + std::to_string(i)] = v;
	}
	HotplugList l;
	ASSERT_TRUE(read_hotplug_list(r, &l).ok());
	EXPECT_EQ(l.count(HotplugAction::Detach), kMaxDevs);
	EXPECT_EQ(l.faults(), 0u);
}

// Issue 18.7: a detach round must fail closed when a detach (or an entry that may be one) cannot
// be read, instead of being answered with nothing removed.
TEST(HotplugList, ADetachThatCannotBeReadIsUnsafe)
{
	{
		auto r = two_devices("3", "5");
		r.nodes.erase("vdev-1"); // Closing, but which device?
		HotplugList l;
		ASSERT_TRUE(read_hotplug_list(r, &l).ok());
		EXPECT_EQ(l.first_unsafe_detach(), 1);
	}
	{
		auto r = two_devices("3", "5");
		r.nodes["vdev-1"] = "0000:00:zz.0";
		HotplugList l;
		ASSERT_TRUE(read_hotplug_list(r, &l).ok());
		EXPECT_EQ(l.first_unsafe_detach(), 1);
	}
	{
		auto r = two_devices("x", "3"); // an unreadable state may be a Closing
		HotplugList l;
		ASSERT_TRUE(read_hotplug_list(r, &l).ok());
		EXPECT_EQ(l.first_unsafe_detach(), 0);
	}
	{
		auto r = two_devices("3", "5");
		r.nodes.erase("state-0");
		HotplugList l;
		ASSERT_TRUE(read_hotplug_list(r, &l).ok());
		EXPECT_EQ(l.first_unsafe_detach(), 0);
	}
}

TEST(HotplugList, FaultsAwayFromTheDetachAreNotUnsafe)
{
	{
		auto r = two_devices("3", "5");
		HotplugList l;
		ASSERT_TRUE(read_hotplug_list(r, &l).ok());
		EXPECT_EQ(l.first_unsafe_detach(), -1);
	}
	{
		// A device still exported with a broken vdev-N concerns no detach; nor does a
		// duplicate of the device being detached.
		auto r = two_devices("3", "5");
		r.nodes["vdev-0"] = "bogus";
		HotplugList l;
		ASSERT_TRUE(read_hotplug_list(r, &l).ok());
		EXPECT_EQ(l.first_unsafe_detach(), -1);
		auto d = two_devices("5", "5");
		d.nodes["vdev-1"] = "0000:00:00.0";
		HotplugList m;
		ASSERT_TRUE(read_hotplug_list(d, &m).ok());
		EXPECT_EQ(m.entries[1].fault, HotplugFault::Duplicate);
		EXPECT_EQ(m.first_unsafe_detach(), -1);
	}
}
