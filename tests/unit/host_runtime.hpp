// SPDX-License-Identifier: GPL-2.0
// Counters the host runtime keeps, for tests to assert on.
#pragma once

#include <cstddef>

extern int host_bad_errno_calls;
extern int host_last_bad_errno;
extern int host_allocs_live;
extern int host_fail_next_alloc; // the next N allocations fail
// Every allocation of exactly this many bytes fails (0: none): one object among many.
extern size_t host_fail_alloc_of_size;
