/*
 * kvm-smoke: the nested harness's self-test.
 *
 * Opens /dev/kvm, checks the API version, creates a VM with one memory slot,
 * runs a few bytes of real-mode guest code that writes a byte to an I/O port
 * and halts, and checks that KVM_RUN reports KVM_EXIT_IO and then
 * KVM_EXIT_HLT.  Prints "kvm-smoke: ok" and exits 0 on success; any failure
 * prints what went wrong and exits 1.
 *
 * Built static (build/tests/kvm-smoke) so it runs in the nest's initramfs
 * without any library.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define GUEST_MEM_SIZE 0x10000u /* one 64 KiB slot at guest physical 0 */
#define GUEST_CODE_GPA 0x1000u
#define SMOKE_PORT 0x3f8u
#define SMOKE_BYTE 'K'

static void die(const char *what) __attribute__((noreturn));
static void die(const char *what)
{
	fprintf(stderr, "kvm-smoke: FAIL: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kvm-smoke: FAIL: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static const char *exit_name(uint32_t reason)
{
	switch (reason) {
	case KVM_EXIT_IO: return "KVM_EXIT_IO";
	case KVM_EXIT_HLT: return "KVM_EXIT_HLT";
	case KVM_EXIT_MMIO: return "KVM_EXIT_MMIO";
	case KVM_EXIT_SHUTDOWN: return "KVM_EXIT_SHUTDOWN";
	case KVM_EXIT_FAIL_ENTRY: return "KVM_EXIT_FAIL_ENTRY";
	case KVM_EXIT_INTERNAL_ERROR: return "KVM_EXIT_INTERNAL_ERROR";
	default: return "other";
	}
}

static void bad_exit(const char *expected, const struct kvm_run *run) __attribute__((noreturn));
static void bad_exit(const char *expected, const struct kvm_run *run)
{
	fprintf(stderr, "kvm-smoke: FAIL: exit reason %u (%s), expected %s",
		run->exit_reason, exit_name(run->exit_reason), expected);
	if (run->exit_reason == KVM_EXIT_FAIL_ENTRY)
		fprintf(stderr, ", hardware entry failure reason %#llx",
			(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
	else if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
		fprintf(stderr, ", suberror %u", run->internal.suberror);
	fputc('\n', stderr);
	exit(1);
}

int main(void)
{
	/* Real mode, loaded at 0000:1000. */
	static const uint8_t code[] = {
		0xba, SMOKE_PORT & 0xff, SMOKE_PORT >> 8, /* mov $0x3f8, %dx */
		0xb0, SMOKE_BYTE,                         /* mov $'K', %al   */
		0xee,                                     /* out %al, (%dx)  */
		0xf4,                                     /* hlt             */
	};
	double t0 = now_us();

	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("open /dev/kvm");

	int api = ioctl(kvm, KVM_GET_API_VERSION, 0);
	if (api < 0)
		die("KVM_GET_API_VERSION");
	if (api != KVM_API_VERSION)
		fail("KVM_GET_API_VERSION returned %d, expected %d", api, KVM_API_VERSION);
	if (ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY) <= 0)
		fail("KVM_CAP_USER_MEMORY missing");

	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");

	uint8_t *mem = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap guest memory");
	memcpy(mem + GUEST_CODE_GPA, code, sizeof(code));

	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = GUEST_MEM_SIZE,
		.userspace_addr = (uintptr_t)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");

	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size < (int)sizeof(struct kvm_run))
		die("KVM_GET_VCPU_MMAP_SIZE");
	struct kvm_run *run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE,
				   MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");

	struct kvm_sregs sregs;
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		die("KVM_SET_SREGS");

	struct kvm_regs regs;
	memset(&regs, 0, sizeof(regs));
	regs.rip = GUEST_CODE_GPA;
	regs.rflags = 0x2; /* bit 1 is reserved and must be set */
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");

	double t_setup = now_us();

	/* First exit: the OUT to the port. */
	if (ioctl(vcpu, KVM_RUN, 0) < 0)
		die("KVM_RUN (1)");
	if (run->exit_reason != KVM_EXIT_IO)
		bad_exit("KVM_EXIT_IO", run);
	if (run->io.direction != KVM_EXIT_IO_OUT || run->io.port != SMOKE_PORT ||
	    run->io.size != 1 || run->io.count != 1)
		fail("unexpected I/O exit: port %#x direction %u size %u count %u",
		     run->io.port, run->io.direction, run->io.size, run->io.count);
	uint8_t byte = *((uint8_t *)run + run->io.data_offset);
	if (byte != SMOKE_BYTE)
		fail("guest wrote %#x, expected %#x", byte, SMOKE_BYTE);
	printf("kvm-smoke: %s port %#x byte '%c'\n", exit_name(run->exit_reason),
	       run->io.port, byte);

	/* Second exit: the HLT. */
	if (ioctl(vcpu, KVM_RUN, 0) < 0)
		die("KVM_RUN (2)");
	if (run->exit_reason != KVM_EXIT_HLT)
		bad_exit("KVM_EXIT_HLT", run);
	printf("kvm-smoke: %s\n", exit_name(run->exit_reason));

	double t_end = now_us();
	printf("kvm-smoke: ok (set-up %.0f us, guest run to HLT %.0f us)\n",
	       t_setup - t0, t_end - t_setup);
	return 0;
}
