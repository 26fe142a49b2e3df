// SPDX-License-Identifier: GPL-2.0
// Host versions of the C shim functions the portable code calls.
#include <cstdio>
#include <cstdlib>

#include "host_runtime.hpp"
#include "kcxx/mem.h"
#include "kcxx/runtime.h"

int host_bad_errno_calls = 0;
int host_last_bad_errno = 0;

extern "C" void kcxx_bad_errno(int value)
{
	++host_bad_errno_calls;
	host_last_bad_errno = value;
}

extern "C" void kcxx_bug(const char *why)
{
	std::fprintf(stderr, "kcxx_bug: %s\n", why);
	std::abort();
}

int host_allocs_live = 0;
int host_fail_next_alloc = 0;
size_t host_fail_alloc_of_size = 0;

extern "C" void *kcxx_kzalloc(size_t size, enum kcxx_gfp)
{
	if (host_fail_next_alloc) {
		--host_fail_next_alloc;
		return nullptr;
	}
	if (host_fail_alloc_of_size && size == host_fail_alloc_of_size)
		return nullptr;
	void *p = std::calloc(1, size);
	if (p)
		++host_allocs_live;
	return p;
}

extern "C" void kcxx_kfree(const void *p)
{
	if (p)
		--host_allocs_live;
	std::free(const_cast<void *>(p));
}

extern "C" size_t kcxx_ksize(const void *) { return 0; }
