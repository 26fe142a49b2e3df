// SPDX-License-Identifier: GPL-2.0
// The C++ runtime pieces a module needs: deleting destructors free through the slab shim.
#include "kcxx/alloc.hpp"

void operator delete(void *p) noexcept { kcxx_kfree(p); }
void operator delete(void *p, size_t) noexcept { kcxx_kfree(p); }
