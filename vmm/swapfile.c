// SPDX-License-Identifier: MIT
/* The swap disk's backing file (include/vmm/swapfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vmm/swapfile.h>

int swapfile_open(const char *path, uint64_t size, uint64_t *bytes, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDWR | O_CLOEXEC | (size ? O_CREAT : 0), 0600);

	if (fd < 0) {
		snprintf(err, errlen, "--swap %s: %s%s", path, strerror(errno),
			 errno == ENOENT ? " (give size=N to create it)" : "");
		return -1;
	}
	if (fstat(fd, &st)) {
		snprintf(err, errlen, "--swap %s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "--swap %s: not a regular file", path);
		goto fail;
	}
	if (size > (uint64_t)st.st_size && ftruncate(fd, (off_t)size)) {
		snprintf(err, errlen, "--swap %s: extending to %" PRIu64 " bytes: %s", path, size,
			 strerror(errno));
		goto fail;
	}
	*bytes = size ? size : (uint64_t)st.st_size;
	if (*bytes < 4096) {
		snprintf(err, errlen, "--swap %s: %" PRIu64 " bytes is too small for a swap disk "
			 "(give size=N)", path, *bytes);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}
