// SPDX-License-Identifier: GPL-2.0
#include <cerrno>
#include <gtest/gtest.h>

#include "host_runtime.hpp"
#include "kcxx/alloc.hpp"
#include "kcxx/errno.h"
#include "kcxx/result.hpp"

using kcxx::Result;

// include/kcxx/errno.h restates Linux's values; the host's <errno.h> is the same ABI on x86-64.
static_assert(KCXX_EINVAL == EINVAL && KCXX_ENOMEM == ENOMEM && KCXX_EALREADY == EALREADY &&
	      KCXX_ETIMEDOUT == ETIMEDOUT && KCXX_EPROTO == EPROTO && KCXX_ENODEV == ENODEV &&
	      KCXX_EAGAIN == EAGAIN && KCXX_EBUSY == EBUSY && KCXX_ENOSPC == ENOSPC &&
	      KCXX_ERANGE == ERANGE && KCXX_EOPNOTSUPP == EOPNOTSUPP && KCXX_EACCES == EACCES &&
	      KCXX_ENOENT == ENOENT && KCXX_EIO == EIO && KCXX_ESHUTDOWN == ESHUTDOWN);

static Result<int> half(int v)
{
	if (v % 2)
		return kcxx::err(-KCXX_EINVAL);
	return v / 2;
}

static Result<int> quarter(int v)
{
	const int h = TRY(half(v));
	return TRY(half(h));
}

static Result<void> must_be_even(int v)
{
	TRY(half(v));
	return kcxx::ok();
}

TEST(Result, TryPropagatesTheFirstError)
{
	EXPECT_EQ(*quarter(8).get(), 2);
	EXPECT_EQ(quarter(6).error(), -KCXX_EINVAL); // 6 -> 3 -> odd
	EXPECT_EQ(quarter(6).get(), nullptr);
	EXPECT_TRUE(must_be_even(2).ok());
	EXPECT_EQ(must_be_even(3).error(), -KCXX_EINVAL);
}

TEST(Result, ErrorHoldsOnlyNegativeErrnos)
{
	const int before = host_bad_errno_calls;
	EXPECT_EQ(kcxx::Error::from_errno(-KCXX_ENOMEM).to_errno(), -KCXX_ENOMEM);
	EXPECT_EQ(host_bad_errno_calls, before);
	// 0, positive (a PCIBIOS code) and below -MAX_ERRNO are caller bugs: reported, -EINVAL.
	for (int bad : {0, 0x86, -KCXX_MAX_ERRNO - 1, INT32_MIN}) {
		EXPECT_EQ(kcxx::Error::from_errno(bad).to_errno(), -KCXX_EINVAL) << bad;
		EXPECT_EQ(host_last_bad_errno, bad);
	}
	EXPECT_EQ(host_bad_errno_calls, before + 4);
}

TEST(Result, ToResultKeepsSuccessAndErrors)
{
	EXPECT_TRUE(kcxx::to_result(0).ok());
	EXPECT_TRUE(kcxx::to_result(5).ok());
	EXPECT_EQ(kcxx::to_result(-KCXX_EAGAIN).error(), -KCXX_EAGAIN);
	EXPECT_EQ(*kcxx::to_result_value(7).get(), 7);
	EXPECT_EQ(kcxx::to_result_value(-KCXX_EIO).error(), -KCXX_EIO);
}

TEST(Result, FromErrPtr)
{
	int x = 0;
	EXPECT_EQ(*kcxx::from_err_ptr(&x).get(), &x);
	EXPECT_EQ(*kcxx::from_err_ptr(static_cast<int *>(nullptr)).get(), nullptr);
	int *e = reinterpret_cast<int *>(static_cast<intptr_t>(-KCXX_ENOENT));
	EXPECT_EQ(kcxx::from_err_ptr(e).error(), -KCXX_ENOENT);
	int *last = reinterpret_cast<int *>(static_cast<intptr_t>(-KCXX_MAX_ERRNO));
	EXPECT_EQ(kcxx::from_err_ptr(last).error(), -KCXX_MAX_ERRNO);
	int *below = reinterpret_cast<int *>(static_cast<intptr_t>(-KCXX_MAX_ERRNO - 1));
	EXPECT_TRUE(kcxx::from_err_ptr(below).ok());
}

struct Tracked {
	static int live;
	int v;
	explicit Tracked(int x) : v(x) { ++live; }
	~Tracked() { --live; }
};
int Tracked::live = 0;

TEST(Result, MoveOnlyValuesAreDestroyedOnce)
{
	{
		auto r = kcxx::try_make_box<Tracked>(KCXX_GFP_KERNEL, 3);
		ASSERT_TRUE(r.ok());
		EXPECT_EQ(Tracked::live, 1);
		kcxx::Box<Tracked> b = kcxx::move(*r.get());
		EXPECT_EQ(b->v, 3);
		EXPECT_EQ(Tracked::live, 1);
	}
	EXPECT_EQ(Tracked::live, 0);
	EXPECT_EQ(host_allocs_live, 0);
}

TEST(Result, FailedAllocationIsEnomem)
{
	host_fail_next_alloc = 1;
	auto r = kcxx::try_make_box<Tracked>(KCXX_GFP_ATOMIC, 1);
	EXPECT_EQ(r.error(), -KCXX_ENOMEM);
	EXPECT_EQ(Tracked::live, 0);
}

TEST(ResultDeathTest, EscapeHatchOnErrorBugs)
{
	EXPECT_DEATH(half(3).value_assumed_ok_or_bug(), "value taken from an error");
}
