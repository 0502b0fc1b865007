// SPDX-License-Identifier: MIT
/* The in-kernel irqchip (LAPIC per vCPU, IOAPIC, two PICs) and the PIT. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include <vmm/irqchip.h>

int irqchip_create(int vm_fd, char *err, size_t errlen)
{
	struct kvm_pit_config pit = { .flags = 0 };

	if (ioctl(vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		snprintf(err, errlen, "KVM_CREATE_IRQCHIP: %s", strerror(errno));
		return -1;
	}
	if (ioctl(vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
		snprintf(err, errlen, "KVM_CREATE_PIT2: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int irqchip_line(int vm_fd, unsigned int irq, int level)
{
	struct kvm_irq_level l = { .irq = irq, .level = (uint32_t)level };

	return ioctl(vm_fd, KVM_IRQ_LINE, &l);
}
