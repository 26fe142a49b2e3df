// SPDX-License-Identifier: GPL-2.0
#include <cstring>
#include <gtest/gtest.h>

#include "lib/xsparse.hpp"

using namespace pcifront;

static size_t L(const char *s) { return std::strlen(s); }

TEST(XsParse, Counts)
{
	EXPECT_EQ(*parse_count("1", 1, kMaxDevs).get(), 1u);
	EXPECT_EQ(*parse_count("256", 3, kMaxDevs).get(), 256u);
	for (const char *bad : {"", "257", "-1", "+1", " 1", "1 ", "1a", "0x1", "99999999999999999999"})
		EXPECT_FALSE(parse_count(bad, L(bad), kMaxDevs).ok()) << '"' << bad << '"';
	EXPECT_FALSE(parse_count(nullptr, 0, kMaxDevs).ok());
	const char nul[] = {'1', '\0', '2'};
	EXPECT_FALSE(parse_count(nul, sizeof(nul), kMaxDevs).ok());
}

TEST(XsParse, RootBuses)
{
	auto r = parse_root("0000:00", 7);
	ASSERT_TRUE(r.ok());
	EXPECT_EQ(r.get()->domain, 0u);
	EXPECT_EQ(r.get()->bus, 0u);
	auto r2 = parse_root("ffff:ff", 7);
	ASSERT_TRUE(r2.ok());
	EXPECT_EQ(r2.get()->domain, 0xffffu);
	EXPECT_EQ(r2.get()->bus, 0xffu);
	EXPECT_EQ(parse_root("1:2", 3).get()->bus, 2u); // pciback writes "%x:%x"
	for (const char *bad : {"10000:00", "0000:100", "0000", "0000:", ":00", "0000:00:00", "g:0", "0000:00 "})
		EXPECT_FALSE(parse_root(bad, L(bad)).ok()) << bad;
	std::string longv(kMaxXsValue + 1, '0');
	EXPECT_FALSE(parse_root(longv.c_str(), longv.size()).ok());
}

TEST(XsParse, DeviceAddresses)
{
	auto d = parse_bdf("0000:00:02.0", 12);
	ASSERT_TRUE(d.ok());
	EXPECT_EQ(d.get()->devfn, devfn(2, 0));
	auto d2 = parse_bdf("0001:0a:1f.7", 12);
	ASSERT_TRUE(d2.ok());
	EXPECT_EQ(d2.get()->domain, 1u);
	EXPECT_EQ(d2.get()->bus, 0xau);
	EXPECT_EQ(d2.get()->devfn, 0xffu);
	for (const char *bad : {"0000:00:20.0", "0000:00:02.8", "0000:00:02", "0000:00.02.0", "0000:00:02.0x", ""})
		EXPECT_FALSE(parse_bdf(bad, L(bad)).ok()) << bad;
}

TEST(XsParse, States)
{
	EXPECT_EQ(*parse_state("4", 1).get(), XenbusStateConnected);
	EXPECT_EQ(*parse_state("8", 1).get(), XenbusStateReconfigured);
	EXPECT_FALSE(parse_state("9", 1).ok());
	EXPECT_FALSE(parse_state("Connected", 9).ok());
}

// Every byte string up to length 3 over a small alphabet: no crash, and anything accepted
// round-trips to a value in range.
TEST(XsParse, ExhaustiveShortInputs)
{
	const char alphabet[] = "0f:.x-9 ";
	char buf[4];
	const size_t n = sizeof(alphabet) - 1;
	for (size_t len = 0; len <= 3; len++) {
		size_t total = 1;
		for (size_t i = 0; i < len; i++)
			total *= n;
		for (size_t k = 0; k < total; k++) {
			size_t x = k;
			for (size_t i = 0; i < len; i++, x /= n)
				buf[i] = alphabet[x % n];
			auto r = parse_root(buf, len);
			if (r.ok()) {
				EXPECT_LE(r.get()->domain, 0xffffu);
				EXPECT_LE(r.get()->bus, 0xffu);
			}
			auto c = parse_count(buf, len, kMaxRoots);
			if (c.ok()) {
				EXPECT_LE(*c.get(), kMaxRoots);
			}
		}
	}
}
