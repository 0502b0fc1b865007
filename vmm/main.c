// SPDX-License-Identifier: MIT
/* The ebb command line: `ebb run [OPTIONS]`, `ebb --help`. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vmm/log.h>
#include <vmm/options.h>
#include <vmm/vm.h>

/* The guest kernel, embedded by vmm/guest_image.S. */
extern const unsigned char ebb_guest_image[];
extern const unsigned char ebb_guest_image_end[];

static int cmd_run(int argc, char **argv)
{
	struct ebb_options o;
	char err[512];
	const void *image = ebb_guest_image;
	size_t len = (size_t)((uintptr_t)ebb_guest_image_end - (uintptr_t)ebb_guest_image);
	void *map = NULL;
	int status;

	if (options_parse(argc, argv, &o, err, sizeof(err))) {
		vmm_log("%s", err);
		return EBB_EXIT_SETUP;
	}
	if (o.help) {
		fputs(ebb_run_usage, stdout);
		return EBB_EXIT_OK;
	}
	if (o.kernel) {
		struct stat st;
		int fd = open(o.kernel, O_RDONLY | O_CLOEXEC);

		if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size == 0) {
			vmm_log("--kernel %s: %s", o.kernel,
				fd < 0 ? strerror(errno) : "not a non-empty regular file");
			if (fd >= 0)
				close(fd);
			return EBB_EXIT_SETUP;
		}
		len = (size_t)st.st_size;
		map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		close(fd);
		if (map == MAP_FAILED) {
			vmm_log("--kernel %s: %s", o.kernel, strerror(errno));
			return EBB_EXIT_SETUP;
		}
		image = map;
	}
	status = vm_run(&o, image, len);
	if (map)
		munmap(map, len);
	return status;
}

int main(int argc, char **argv)
{
	/* A closed console reader must not kill the VM: writes just fail. */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		fputs(ebb_usage, stderr);
		return EBB_EXIT_SETUP;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		fputs(ebb_usage, stdout);
		return EBB_EXIT_OK;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	vmm_log("unknown command \"%s\" (see ebb --help)", argv[1]);
	return EBB_EXIT_SETUP;
}
