// SPDX-License-Identifier: GPL-2.0
// The few standard-library pieces our C++ needs, written for a freestanding kernel build.
#pragma once

#include "kcxx/types.h"

#ifndef __KCXX_KERNEL__
#include <new> // the host's placement new; the kernel build defines its own below
#else
inline void *operator new(size_t, void *where) noexcept { return where; }
#endif

namespace kcxx {

template <typename T> struct remove_reference { using type = T; };
template <typename T> struct remove_reference<T &> { using type = T; };
template <typename T> struct remove_reference<T &&> { using type = T; };

template <typename T> constexpr typename remove_reference<T>::type &&move(T &&v) noexcept
{
	return static_cast<typename remove_reference<T>::type &&>(v);
}

template <typename T> constexpr T &&forward(typename remove_reference<T>::type &v) noexcept
{
	return static_cast<T &&>(v);
}

template <typename T> constexpr T exchange(T &obj, T new_value) noexcept
{
	T old = move(obj);
	obj = move(new_value);
	return old;
}

template <typename T> constexpr const T &min(const T &a, const T &b) { return b < a ? b : a; }
template <typename T> constexpr const T &max(const T &a, const T &b) { return a < b ? b : a; }

template <typename T, size_t N> constexpr size_t array_size(const T (&)[N]) { return N; }

// Base for resource owners: moving is explicit, copying is impossible.
class NoCopy {
      protected:
	constexpr NoCopy() = default;
	~NoCopy() = default;

      public:
	NoCopy(const NoCopy &) = delete;
	NoCopy &operator=(const NoCopy &) = delete;
	NoCopy(NoCopy &&) = default;
	NoCopy &operator=(NoCopy &&) = default;
};

} // namespace kcxx
