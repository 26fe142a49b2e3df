// SPDX-License-Identifier: GPL-2.0
// Counters the host runtime keeps, for tests to assert on.
#pragma once

extern int host_bad_errno_calls;
extern int host_last_bad_errno;
extern int host_allocs_live;
extern int host_fail_next_alloc; // the next N allocations fail
