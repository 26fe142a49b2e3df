// SPDX-License-Identifier: GPL-2.0
// Checked allocation: Box<T> owns one kzalloc'd object; try_make_box reports -ENOMEM.
// StaticBox<T> holds a module's one object in static storage.
#pragma once

#include "kcxx/mem.h"
#include "kcxx/result.hpp"

namespace kcxx {

template <typename T> class Box : NoCopy {
      public:
	Box() = default;
	Box(Box &&o) : p_(exchange(o.p_, static_cast<T *>(nullptr))) {}
	Box &operator=(Box &&o)
	{
		if (this != &o) {
			reset();
			p_ = exchange(o.p_, static_cast<T *>(nullptr));
		}
		return *this;
	}
	~Box() { reset(); }

	T *get() const { return p_; }
	T *operator->() const { return p_; }
	T &operator*() const { return *p_; }
	explicit operator bool() const { return p_ != nullptr; }

	void reset()
	{
		if (T *p = exchange(p_, static_cast<T *>(nullptr))) {
			p->~T();
			kcxx_kfree(p);
		}
	}

	// Hands the object to C code that will give it back through adopt().
	T *leak() { return exchange(p_, static_cast<T *>(nullptr)); }
	static Box adopt(T *p) { return Box(p); }

	template <typename U, typename... Args>
	friend Result<Box<U>> try_make_box(enum kcxx_gfp gfp, Args &&...args);

      private:
	explicit Box(T *p) : p_(p) {}
	T *p_ = nullptr;
};

// Allocates and constructs a T. Constructors cannot fail, so only the allocation can.
template <typename T, typename... Args>
Result<Box<T>> try_make_box(enum kcxx_gfp gfp, Args &&...args)
{
	void *mem = kcxx_kzalloc(sizeof(T), gfp);
	if (!mem)
		return err(-KCXX_ENOMEM);
	return Box<T>(new (mem) T(forward<Args>(args)...));
}

// A module's one object, in zeroed static storage: built by the module's init (create), torn
// down by its exit (destroy). Constant-initialised and trivially destructible, so a global
// StaticBox adds no static constructor or exit-time destructor (which the kernel subset has
// not); the object's own constructor and destructor run exactly at create and destroy.
template <typename T> class StaticBox : NoCopy {
      public:
	constexpr StaticBox() = default;

	T *create()
	{
		destroy();
		p_ = new (storage_) T();
		return p_;
	}
	void destroy()
	{
		if (T *p = exchange(p_, static_cast<T *>(nullptr)))
			p->~T();
	}

	T *get() const { return p_; }
	T *operator->() const { return p_; }
	T &operator*() const { return *p_; }
	explicit operator bool() const { return p_ != nullptr; }

      private:
	alignas(T) unsigned char storage_[sizeof(T)] = {};
	T *p_ = nullptr;
};

} // namespace kcxx

// Objects with virtual destructors need these; memory always comes from kcxx_kzalloc.
#ifdef __KCXX_KERNEL__
void operator delete(void *p) noexcept;
void operator delete(void *p, size_t) noexcept;
#endif
