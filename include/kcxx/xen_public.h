/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Xen public interface headers (io/pciif.h, io/xenbus.h) as Xen ships them in libxen-dev.
 * They are self-contained and need only the fixed-width types, so kernel C++, whose include path
 * has no kernel header, and the host tests see the same protocol definitions. The kernel build
 * reaches them through build/xen-public/xen, a link the Makefile makes to Debian's copy.
 */
#ifndef KCXX_XEN_PUBLIC_H
#define KCXX_XEN_PUBLIC_H

#include "kcxx/types.h"

#include <xen/io/pciif.h>
#include <xen/io/xenbus.h>

#endif /* KCXX_XEN_PUBLIC_H */
