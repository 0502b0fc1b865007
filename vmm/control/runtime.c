// SPDX-License-Identifier: MIT
/* The runtime directory and control socket paths (include/vmm/control/runtime.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <vmm/control/runtime.h>

int runtime_dir(char *buf, size_t len)
{
	const char *e = getenv("EBB_RUNTIME_DIR");
	int n;

	if (e && *e)
		n = snprintf(buf, len, "%s", e);
	else if ((e = getenv("XDG_RUNTIME_DIR")) && *e)
		n = snprintf(buf, len, "%s/ebb", e);
	else if (geteuid() == 0)
		n = snprintf(buf, len, "/run/ebb");
	else
		n = snprintf(buf, len, "/tmp/ebb-%u", (unsigned int)geteuid());
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int runtime_dir_create(char *err, size_t errlen)
{
	char dir[RUNTIME_PATH_MAX];
	struct stat st;

	if (runtime_dir(dir, sizeof(dir))) {
		snprintf(err, errlen, "the runtime directory path is too long");
		return -1;
	}
	if (mkdir(dir, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "cannot create the runtime directory %s: %s", dir,
			 strerror(errno));
		return -1;
	}
	/*
	 * The directory guards the sockets: someone else's (a /tmp squatter),
	 * or one others may write in (they could swap a socket for their own),
	 * is refused rather than repaired.  Merely readable is tightened.
	 */
	if (lstat(dir, &st)) {
		snprintf(err, errlen, "the runtime directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "the runtime directory %s is not a directory (a symlink or "
			 "a file): ebb will not put control sockets there; remove it or set "
			 "EBB_RUNTIME_DIR", dir);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "the runtime directory %s belongs to uid %u, not to uid %u "
			 "(ebb's): ebb will not put control sockets where another user controls "
			 "them; remove it or set EBB_RUNTIME_DIR", dir, (unsigned int)st.st_uid,
			 (unsigned int)geteuid());
		return -1;
	}
	if (st.st_mode & 022) {
		snprintf(err, errlen, "the runtime directory %s is writable by its group or others "
			 "(mode %04o): anyone could replace a control socket in it; chmod 0700 it "
			 "or set EBB_RUNTIME_DIR", dir, (unsigned int)(st.st_mode & 07777));
		return -1;
	}
	if ((st.st_mode & 077) && chmod(dir, 0700)) {
		snprintf(err, errlen, "chmod 0700 %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

bool runtime_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 64 || name[0] == '.' || name[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

int runtime_socket_path(const char *name, char *buf, size_t len)
{
	char dir[RUNTIME_PATH_MAX];
	int n;

	if (runtime_dir(dir, sizeof(dir)))
		return -1;
	n = snprintf(buf, len, "%s/%s.sock", dir, name);
	return n < 0 || (size_t)n >= len || (size_t)n >= RUNTIME_PATH_MAX ? -1 : 0;
}

int runtime_connect(const char *name)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (!runtime_name_valid(name) ||
	    runtime_socket_path(name, a.sun_path, sizeof(a.sun_path))) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}
