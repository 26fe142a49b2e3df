// SPDX-License-Identifier: GPL-2.0
/* Module glue of xen-pcifront-cxx: module metadata and parameters. */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "entry.h"


/* Read by the C++ side; declared there with C linkage. */
unsigned int xpf_op_timeout_ms = 2000;
module_param_named(op_timeout_ms, xpf_op_timeout_ms, uint, 0444);
MODULE_PARM_DESC(op_timeout_ms,
		 "How long a config op waits for the backend before failing (ms, 10..60000)");

static int __init xpf_frontend_module_init(void)
{
	return xpf_frontend_init();
}

static void __exit xpf_frontend_module_exit(void)
{
	xpf_frontend_exit();
}

module_init(xpf_frontend_module_init);
module_exit(xpf_frontend_module_exit);

MODULE_LICENSE("GPL v2");
MODULE_AUTHOR("xen-pcifront-cxx developers");
MODULE_DESCRIPTION("Xen PCI frontend in C++: PCI passthrough for PV driver domains");
MODULE_IMPORT_NS(XEN_PCIFRONT_CXX);
