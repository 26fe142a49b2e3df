/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module set's symbol namespace, for the C glue files only. Since 6.13 the namespace
 * arguments of EXPORT_SYMBOL_NS_GPL() and MODULE_IMPORT_NS() are string literals; before, they
 * were bare identifiers that the macros stringified. KCXX_NS_IS_STRING comes from
 * scripts/kapi.sh, which reads the kernel's own <linux/module.h>.
 */
#ifndef XPF_NS_H
#define XPF_NS_H

#include <linux/export.h>
#include <linux/module.h>

#ifdef KCXX_NS_IS_STRING
#define XPF_NS "XEN_PCIFRONT_CXX"
#else
#define XPF_NS XEN_PCIFRONT_CXX
#endif

#define XPF_EXPORT(sym) EXPORT_SYMBOL_NS_GPL(sym, XPF_NS)
#define XPF_IMPORT_NS() MODULE_IMPORT_NS(XPF_NS)

#endif
