// SPDX-License-Identifier: GPL-2.0
// Result<T>: a value or a valid negative errno, and TRY() to propagate the errno like Rust's `?`.
#pragma once

#include "kcxx/errno.h"
#include "kcxx/runtime.h"
#include "kcxx/utility.hpp"

namespace kcxx {

class Error {
      public:
	static constexpr bool is_valid(int e) { return e < 0 && e >= -KCXX_MAX_ERRNO; }

	// Only [-MAX_ERRNO, -1] is an errno; anything else is reported and becomes -EINVAL, so an
	// Error can never hold a success code or a positive PCIBIOS value.
	static Error from_errno(int e)
	{
		if (is_valid(e))
			return Error(e);
		kcxx_bad_errno(e);
		return Error(-KCXX_EINVAL);
	}

	constexpr int to_errno() const { return code_; }
	constexpr bool operator==(const Error &o) const { return code_ == o.code_; }

      private:
	constexpr explicit Error(int e) : code_(e) {}
	int code_;
};

// `return err(-KCXX_EINVAL);` in any function returning Result<T>.
inline Error err(int e) { return Error::from_errno(e); }

template <typename T> class [[nodiscard]] Result {
      public:
	Result(const T &v) : ok_(true) { new (&value_) T(v); }
	Result(T &&v) : ok_(true) { new (&value_) T(kcxx::move(v)); }
	Result(Error e) : ok_(false), err_(e.to_errno()) {}

	Result(Result &&o) : ok_(o.ok_), err_(o.err_)
	{
		if (ok_)
			new (&value_) T(kcxx::move(o.value_));
	}
	Result(const Result &) = delete;
	Result &operator=(const Result &) = delete;
	Result &operator=(Result &&) = delete;

	~Result()
	{
		if (ok_)
			value_.~T();
	}

	bool ok() const { return ok_; }
	// The negative errno, or 0 when this holds a value.
	int error() const { return ok_ ? 0 : err_; }

	// Checked access: null when this holds an error.
	T *get() { return ok_ ? &value_ : nullptr; }
	const T *get() const { return ok_ ? &value_ : nullptr; }

	T value_or(T fallback) && { return ok_ ? kcxx::move(value_) : kcxx::move(fallback); }

	// The escape hatch: use only where the value was just checked by ok(). BUG()s otherwise.
	T &&value_assumed_ok_or_bug() &&
	{
		if (!ok_)
			kcxx_bug("Result: value taken from an error");
		return kcxx::move(value_);
	}

      private:
	bool ok_;
	int err_ = 0;
	union {
		T value_;
	};
};

template <> class [[nodiscard]] Result<void> {
      public:
	Result() : err_(0) {}
	Result(Error e) : err_(e.to_errno()) {}
	Result(Result &&) = default;
	Result(const Result &) = delete;
	Result &operator=(const Result &) = delete;

	bool ok() const { return err_ == 0; }
	int error() const { return err_; }
	// For a C boundary that returns int: 0 or a negative errno.
	int to_errno() const { return err_; }

	void value_assumed_ok_or_bug() &&
	{
		if (err_)
			kcxx_bug("Result: value taken from an error");
	}

      private:
	int err_;
};

inline Result<void> ok() { return Result<void>(); }

// A kernel call's int result: >= 0 is success, a negative errno is an error.
inline Result<void> to_result(int r)
{
	if (r >= 0)
		return ok();
	return Error::from_errno(r);
}

// Same, keeping a non-negative value (a count, an irq number).
inline Result<int> to_result_value(int r)
{
	if (r >= 0)
		return r;
	return Error::from_errno(r);
}

// ERR_PTR convention: an error pointer becomes its errno; a null pointer is returned as a value.
template <typename T> inline Result<T *> from_err_ptr(T *p)
{
	const uintptr_t v = reinterpret_cast<uintptr_t>(p);
	if (v >= static_cast<uintptr_t>(-KCXX_MAX_ERRNO))
		return Error::from_errno(static_cast<int>(static_cast<intptr_t>(v)));
	return p;
}

namespace detail {
template <typename T> inline T take(Result<T> &&r) { return kcxx::move(r).value_assumed_ok_or_bug(); }
inline void take(Result<void> &&) {}
} // namespace detail

} // namespace kcxx

// Evaluates a Result; on error returns its errno from the enclosing function (which returns a
// Result), otherwise yields the value. A GNU statement expression, as in the SerenityOS kernel.
#define TRY(expr)                                                                                  \
	({                                                                                         \
		auto _kcxx_try = (expr);                                                           \
		if (!_kcxx_try.ok())                                                               \
			return ::kcxx::Error::from_errno(_kcxx_try.error());                       \
		::kcxx::detail::take(::kcxx::move(_kcxx_try));                                     \
	})
