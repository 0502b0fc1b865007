// SPDX-License-Identifier: MIT
/*
 * `ebb run` options and the guest kernel command line they produce.
 * Options take their value as "--opt VALUE" or "--opt=VALUE".
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/acpi.h>
#include <vmm/control/runtime.h>
#include <vmm/fault_inject.h>
#include <vmm/options.h>

#define ERR(...) do { if (err) snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

const char ebb_usage[] =
"Usage: ebb COMMAND [OPTIONS]\n"
"\n"
"ebb is a small KVM virtual machine monitor for micro-VMs.\n"
"\n"
"Commands:\n"
"  run       boot a micro-VM (the embedded guest kernel unless --kernel);\n"
"            under KVM where it runs guest code natively, else under QEMU\n"
"            (TCG): with no /dev/kvm, or one that interprets guests (PVM)\n"
"  kvm-info  which KVM this host has (hardware, PVM ...) and why ebb thinks so\n"
"  list      the running VMs\n"
"  stat      a running VM's memory views (buddyinfo, vmstat ...), as the\n"
"            guest prints them or as JSON\n"
"  console   attach to a running VM's console\n"
"  stop      stop a running VM\n"
"  exec      run a guest shell command in a running VM\n"
"  ctl       send one raw JSON line to a running VM's control socket\n"
"  inject    arm or disarm a fault point in a running VM (docs/fault-injection.md)\n"
"  balloond  steer running VMs' balloons (ebb VMs or libvirt domains)\n"
"  overcommit  the overcommit experiment: N VMs, a budget, a policy\n"
"  top       a live view of every VM's memory and balloon\n"
"  help      this text; `ebb help COMMAND` or `ebb COMMAND --help` for one\n"
"\n"
"Exit status of run: 0 the guest powered off with status 0, 1 usage or\n"
"set-up error (no /dev/kvm with --accel kvm ...), 2 guest reset, 3 guest\n"
"triple fault, 4 internal VMM error, 64+N the guest powered off with\n"
"status N, 128+S stopped by signal S (Ctrl-A x on the console counts as\n"
"SIGINT).  `ebb stop` ends it with 0.\n"
"Exit status of list, stat, console, stop, exec, ctl: 0 done, 1 usage\n"
"error, 2 no running VM of that name, 3 the VM answered with an error,\n"
"4 the connection failed or timed out.\n";

const char ebb_run_usage[] =
"Usage: ebb run [OPTIONS]\n"
"\n"
"Boot a micro-VM with its console on this terminal (Ctrl-A x quits,\n"
"Ctrl-A Ctrl-A sends Ctrl-A).\n"
"\n"
"Options:\n"
"  --mem SIZE         guest RAM (default 512M); SIZE is a number with K, M,\n"
"                     G or T (binary units); a bare number means MiB\n"
"  --numa N           N guest NUMA nodes sharing --mem evenly\n"
"  --numa S0,S1,...   one node per size (--mem, if given, must match the sum)\n"
"  --numa ...,cpus=A-B:C-D:...  node by node, the run of vCPUs on it (each\n"
"                     follows the last, from 0, to --cpus); default: the\n"
"                     vCPUs split in equal runs, in order\n"
"                     node sizes are multiples of 2M; at most 8 nodes\n"
"  --numa-distance D  every remote node pair's SLIT distance (11..254)\n"
"  --numa-distance D00,D01,...  the whole matrix row by row, 10 on the\n"
"                     diagonal (default: 10 local, 20 remote, as Linux)\n"
"  --cpus N           vCPUs (default 1)\n"
"  --cmdline STR      guest command line instead of \"" EBB_DEFAULT_CMDLINE "\"\n"
"  --append STR       add STR to the end of the guest command line\n"
"  --name NAME        the VM's name (default ebb): its control socket\n"
"                     NAME.sock for ebb list/stat/console/stop, messages, memfds\n"
"  --kernel PATH      boot this kernel instead of the embedded guest: a PVH\n"
"                     ELF (ebb's guest, a vmlinux with a PVH note) or a Linux\n"
"                     bzImage (vmlinuz), told apart by content\n"
"  --initrd PATH      an initrd (initramfs) for the kernel\n"
"  --host-node N[,N]  bind guest RAM to host NUMA node N (one for all guest\n"
"                     nodes, or one per guest node)\n"
"  --hugepages        back guest RAM with huge pages (reserve them first:\n"
"                     /proc/sys/vm/nr_hugepages)\n"
"  --stats            print boot timing, memory figures, the KVM flavour and\n"
"                     KVM's totals (exits, emulated instructions ...) at exit\n"
"  --no-acpi          write no ACPI tables (KVM backend): a Linux kernel then\n"
"                     finds the virtio devices only through virtio_mmio.device=\n"
"                     (CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES), one CPU and no IOAPIC\n"
"  --no-seccomp       run the VMM's threads without their seccomp-BPF\n"
"                     allow-lists (on by default: a vCPU, device worker or\n"
"                     monitor making a call outside its list ends ebb with a\n"
"                     message naming it; docs/security.md).  To debug\n"
"  --inject SPEC      arm a fault point (repeatable): swap-write, swap-read,\n"
"                     swap-full, balloon-punch (KVM backend), control; e.g.\n"
"                     swap-write:eio:times=3, swap-read:eio:prob=10,\n"
"                     swap-full:space=16M, control:mute (docs/fault-injection.md)\n"
"  --swap FILE[,size=N]  a virtio-blk swap disk backed by FILE; size=N\n"
"                     creates FILE or extends it (sparsely) to N bytes\n"
"  --balloon[=OPTS]   a virtio-balloon (ebb balloon NAME SIZE sets its target);\n"
"                     OPTS: deflate-on-oom, stats=SECONDS, reporting[=ORDER]\n"
"  --accel WHICH      kvm, qemu (qemu-system-x86_64 -M microvm, TCG; $EBB_QEMU\n"
"                     names the binary) or auto (the default): KVM when it is\n"
"                     hardware (VMX/SVM) and runs guest code natively; QEMU\n"
"                     when there is no usable /dev/kvm or when the KVM would\n"
"                     interpret the guest (PVM, or any KVM whose calibration\n"
"                     loop shows it emulating every instruction: ~1000x\n"
"                     slower than hardware, where TCG is far faster).  The\n"
"                     first line ebb prints says which and why.  --accel kvm\n"
"                     insists on KVM, with a warning that names the slowdown.\n"
"                     $EBB_KVM_DEV names another KVM device (a missing path\n"
"                     hides KVM); EBB_KVM_FLAVOUR=native|interpreted\n"
"                     overrides the detection (ebb kvm-info shows it)\n"
"  -h, --help         this text\n"
"\n"
"The VMM adds ebb.numa=NID:START-END,... (and ebb.distance=... with\n"
"--numa-distance) to the guest command line when there is more than one\n"
"node, and virtio_mmio.device=... for each virtio\n"
"device (see docs/CONVENTIONS.md).  Under KVM it also describes the vCPUs,\n"
"the interrupt controllers, the serial ports, the virtio devices and the\n"
"NUMA nodes in ACPI tables (docs/acpi.md) unless --no-acpi.\n";

int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned int shift = 20;

	if (!s || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end) {
		switch (toupper((unsigned char)*end)) {
		case 'B': shift = 0; break;
		case 'K': shift = 10; break;
		case 'M': shift = 20; break;
		case 'G': shift = 30; break;
		case 'T': shift = 40; break;
		default: return -1;
		}
		end++;
		/* Allow "512MiB" and "512MB" as well as "512M". */
		if (shift && (!strcasecmp(end, "iB") || !strcasecmp(end, "B")))
			end += strlen(end);
		if (*end)
			return -1;
	}
	if (v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_uint(const char *s, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v;

	if (!s || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

/*
 * "A-B:C-D:...", node by node, each node's vCPUs a run (A, or A-B).
 * Checked against --cpus once all options are read (options_check_cpus).
 */
static int parse_numa_cpus(const char *all, char *s, struct ebb_options *o, char *err,
			   size_t errlen)
{
	unsigned int n = 0, a, b;
	char *tok, *next;

	for (tok = s; tok; tok = next, n++) {
		char *dash;

		next = strchr(tok, ':');
		if (next)
			*next++ = '\0';
		if (n == EBB_MAX_NODES)
			ERR("--numa %s: cpus= names more than %d nodes", all, EBB_MAX_NODES);
		dash = strchr(tok, '-');
		if (dash)
			*dash++ = '\0';
		if (parse_uint(tok, EBB_MAX_CPUS - 1, &a) ||
		    (dash ? parse_uint(dash, EBB_MAX_CPUS - 1, &b) : (b = a, 0)) || b < a)
			ERR("--numa %s: cpus= wants a run of vCPUs per node, A or A-B, separated by ':'",
			    all);
		o->cpu_first[n] = (uint8_t)a;
		o->cpu_last[n] = (uint8_t)b;
	}
	o->explicit_cpus = true;
	return (int)n;
}

int parse_numa(const char *s, struct ebb_options *o, char *err, size_t errlen)
{
	unsigned int n;
	int cpu_nodes = -1;
	char buf[256];
	char *tok, *save = NULL, *cpus;

	if (!s || !*s)
		ERR("--numa needs a node count or a list of sizes");
	if (strlen(s) >= sizeof(buf))
		ERR("--numa: too long");
	strcpy(buf, s);
	o->explicit_cpus = false;
	/* A trailing ",cpus=..." places the vCPUs; the rest is as without it. */
	cpus = strstr(buf, "cpus=");
	if (cpus) {
		if (cpus == buf || cpus[-1] != ',')
			ERR("--numa %s: cpus= comes last, after the node count or sizes", s);
		cpus[-1] = '\0';
		cpu_nodes = parse_numa_cpus(s, cpus + 5, o, err, errlen);
		if (cpu_nodes < 0)
			return -1;
	}
	if (!strchr(buf, ',') && parse_uint(buf, 1000, &n) == 0) {
		if (n < 1 || n > EBB_MAX_NODES)
			ERR("--numa %s: between 1 and %d nodes", s, EBB_MAX_NODES);
		o->nr_nodes = n;
		o->explicit_nodes = false;
		memset(o->node_size, 0, sizeof(o->node_size));
		goto check_cpus;
	}
	n = 0;
	memset(o->node_size, 0, sizeof(o->node_size));
	/* strtok would skip empty fields; "256M,,256M" must be an error. */
	for (tok = buf; tok; tok = save) {
		save = strchr(tok, ',');
		if (save)
			*save++ = '\0';
		if (n == EBB_MAX_NODES)
			ERR("--numa %s: at most %d nodes", s, EBB_MAX_NODES);
		if (parse_size(tok, &o->node_size[n]) || o->node_size[n] == 0)
			ERR("--numa %s: \"%s\" is not a size (e.g. 256M)", s, tok);
		if (o->node_size[n] % EBB_NODE_ALIGN)
			ERR("--numa %s: node %u size %s is not a multiple of 2M", s, n, tok);
		n++;
	}
	o->nr_nodes = n;
	o->explicit_nodes = true;
check_cpus:
	if (cpu_nodes >= 0 && (unsigned int)cpu_nodes != o->nr_nodes)
		ERR("--numa %s: cpus= places vCPUs on %d nodes, there are %u", s, cpu_nodes,
		    o->nr_nodes);
	return 0;
}

/* --numa's cpus= against --cpus: every vCPU on exactly one node.  0 or -1. */
static int options_check_cpus(const struct ebb_options *o, char *err, size_t errlen)
{
	unsigned int next = 0;

	if (!o->explicit_cpus)
		return 0;
	/* Runs in node order, back to back from 0: no gap, no overlap. */
	for (unsigned int n = 0; n < o->nr_nodes; n++) {
		if (o->cpu_first[n] != next)
			ERR("--numa cpus=: node %u starts at vCPU %u, want %u (each node's run follows "
			    "the last, from 0)", n, o->cpu_first[n], next);
		next = o->cpu_last[n] + 1u;
	}
	if (next != o->nr_cpus)
		ERR("--numa cpus=: the nodes hold vCPUs 0-%u, --cpus %u wants 0-%u", next - 1,
		    o->nr_cpus, o->nr_cpus - 1);
	return 0;
}

/*
 * --numa-distance: one value, or the whole matrix comma-separated (the
 * guest's ebb.distance= form).  Checked against the node count once all
 * options are read (options_check_distance).
 */
static int parse_numa_distance(const char *s, struct ebb_options *o, char *err, size_t errlen)
{
	const char *p = s;

	o->nr_distances = 0;
	for (;;) {
		char val[8];
		size_t n = strcspn(p, ",");
		unsigned int d;

		if (o->nr_distances == EBB_MAX_NODES * EBB_MAX_NODES)
			ERR("--numa-distance %s: more than %d values (%d nodes at most)", s,
			    EBB_MAX_NODES * EBB_MAX_NODES, EBB_MAX_NODES);
		if (n == 0 || n >= sizeof(val))
			ERR("--numa-distance %s: value %u is not a distance (10..254)", s,
			    o->nr_distances);
		memcpy(val, p, n);
		val[n] = '\0';
		if (parse_uint(val, 254, &d) || d < NUMA_DISTANCE_LOCAL)
			ERR("--numa-distance %s: \"%s\" is not a distance (10..254)", s, val);
		o->distance[o->nr_distances++] = (uint8_t)d;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

/*
 * The matrix as ACPI's SLIT wants it and Linux's slit_valid() accepts it:
 * 10 on the diagonal, more than 10 elsewhere (a table that breaks either
 * rule Linux ignores whole, silently falling back to 10/20).  0 or -1.
 */
static int options_check_distance(struct ebb_options *o, char *err, size_t errlen)
{
	unsigned int n = o->nr_nodes;

	if (!o->nr_distances)
		return 0;
	if (n < 2)
		ERR("--numa-distance needs --numa with two nodes or more");
	if (o->nr_distances == 1) {
		uint8_t remote = o->distance[0];

		if (remote == NUMA_DISTANCE_LOCAL)
			ERR("--numa-distance %u: a remote node must be farther than 10", remote);
		for (unsigned int a = 0; a < n; a++)
			for (unsigned int b = 0; b < n; b++)
				o->distance[a * n + b] = a == b ? NUMA_DISTANCE_LOCAL : remote;
		o->nr_distances = n * n;
		return 0;
	}
	if (o->nr_distances != n * n)
		ERR("--numa-distance: %u values, %u nodes need %u (row by row) or one", o->nr_distances,
		    n, n * n);
	for (unsigned int a = 0; a < n; a++)
		for (unsigned int b = 0; b < n; b++) {
			unsigned int d = o->distance[a * n + b];

			if (a == b && d != NUMA_DISTANCE_LOCAL)
				ERR("--numa-distance: node %u to itself is %u, must be 10", a, d);
			if (a != b && d == NUMA_DISTANCE_LOCAL)
				ERR("--numa-distance: node %u to node %u is 10, a remote node must be "
				    "farther", a, b);
		}
	return 0;
}

unsigned int options_node_distance(const struct ebb_options *o, unsigned int a, unsigned int b)
{
	if (o->nr_distances == o->nr_nodes * o->nr_nodes && a < o->nr_nodes && b < o->nr_nodes &&
	    o->nr_distances)
		return o->distance[a * o->nr_nodes + b];
	return a == b ? NUMA_DISTANCE_LOCAL : NUMA_DISTANCE_REMOTE;
}

unsigned int options_cpu_node(const struct ebb_options *o, unsigned int cpu)
{
	if (o->explicit_cpus) {
		for (unsigned int n = 0; n < o->nr_nodes; n++)
			if (cpu >= o->cpu_first[n] && cpu <= o->cpu_last[n])
				return n;
	}
	return acpi_cpu_node(cpu, o->nr_cpus, o->nr_nodes);
}

static int parse_host_nodes(const char *s, struct ebb_options *o, char *err,
			    size_t errlen)
{
	char buf[128];
	char *tok, *save = NULL;
	unsigned int n = 0, v;

	if (!s || strlen(s) >= sizeof(buf))
		ERR("--host-node needs N or N,N,...");
	strcpy(buf, s);
	for (tok = buf; tok; tok = save) {
		save = strchr(tok, ',');
		if (save)
			*save++ = '\0';
		if (n == EBB_MAX_NODES || parse_uint(tok, 1023, &v))
			ERR("--host-node %s: expected host node numbers (N or N,N,...)", s);
		o->host_node[n++] = (int)v;
	}
	o->nr_host_nodes = n;
	return 0;
}

int parse_swap(const char *s, struct ebb_options *o, char *err, size_t errlen)
{
	const char *comma = strrchr(s, ',');
	size_t n = comma && !strncmp(comma, ",size=", 6) ? (size_t)(comma - s) : strlen(s);

	if (n == 0 || n >= sizeof(o->swap_path))
		ERR("--swap %s: expected FILE[,size=N]", s);
	memcpy(o->swap_path, s, n);
	o->swap_path[n] = '\0';
	o->swap_size = 0;
	if (n < strlen(s) && (parse_size(comma + 6, &o->swap_size) || o->swap_size < 4096))
		ERR("--swap %s: size=%s is not a size of at least 4K (e.g. 1G)", s, comma + 6);
	return 0;
}

/* "--opt=VALUE" or "--opt VALUE"; *i advances past what was used. */
static const char *opt_value(int argc, char **argv, int *i, const char *name,
			     bool *missing)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	*missing = false;
	if (strncmp(a, name, n))
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

/*
 * The guest's nodes' sizes: as --numa gave them (and --mem, if given,
 * must agree), or --mem (default EBB_DEFAULT_MEM) cut into equal 2M-aligned
 * parts, the rest to the last node.
 */
static int options_size_nodes(struct ebb_options *o, bool mem_given, char *err, size_t errlen)
{
	if (o->explicit_nodes) {
		uint64_t sum = 0;

		for (unsigned int n = 0; n < o->nr_nodes; n++)
			sum += o->node_size[n];
		if (mem_given && sum != o->mem_size)
			ERR("--mem %" PRIu64 "M does not match the --numa sizes (%" PRIu64 "M in all)",
			    o->mem_size >> 20, sum >> 20);
		o->mem_size = sum;
	} else {
		uint64_t units, per, rest;

		if (!mem_given)
			o->mem_size = EBB_DEFAULT_MEM;
		if (o->mem_size % EBB_NODE_ALIGN)
			ERR("--mem: %" PRIu64 " bytes is not a multiple of 2M", o->mem_size);
		units = o->mem_size / EBB_NODE_ALIGN;
		if (units < o->nr_nodes)
			ERR("--mem %" PRIu64 "M is too small for %u nodes", o->mem_size >> 20,
			    o->nr_nodes);
		per = units / o->nr_nodes;
		rest = units % o->nr_nodes;
		for (unsigned int n = 0; n < o->nr_nodes; n++)
			o->node_size[n] = (per + (n == o->nr_nodes - 1 ? rest : 0)) * EBB_NODE_ALIGN;
	}
	if (o->nr_host_nodes > 1 && o->nr_host_nodes != o->nr_nodes)
		ERR("--host-node: give one host node, or one per guest node (%u)", o->nr_nodes);
	return 0;
}

int options_parse(int argc, char **argv, struct ebb_options *o, char *err,
		  size_t errlen)
{
	bool mem_given = false;
	const char *v;
	bool missing;

	memset(o, 0, sizeof(*o));
	o->nr_nodes = 1;
	o->nr_cpus = 1;
	o->name = "ebb";

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

#define OPT(nm) ((v = opt_value(argc, argv, &i, nm, &missing)) != NULL || \
		 (missing ? (snprintf(err, errlen, "%s needs a value", nm), 1) : 0))
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			o->help = true;
			return 0;
		} else if (!strcmp(a, "--hugepages")) {
			o->hugepages = true;
		} else if (!strcmp(a, "--stats")) {
			o->stats = true;
		} else if (!strcmp(a, "--no-acpi")) {
			o->no_acpi = true;
		} else if (!strcmp(a, "--no-seccomp")) {
			o->no_seccomp = true;
		} else if (OPT("--mem")) {
			if (!v)
				return -1;
			if (parse_size(v, &o->mem_size) || o->mem_size == 0)
				ERR("--mem %s: not a size (e.g. 512M, 2G)", v);
			mem_given = true;
		} else if (OPT("--numa")) {
			if (!v || parse_numa(v, o, err, errlen))
				return -1;
		} else if (OPT("--numa-distance")) {
			if (!v || parse_numa_distance(v, o, err, errlen))
				return -1;
		} else if (OPT("--cpus")) {
			if (!v)
				return -1;
			if (parse_uint(v, EBB_MAX_CPUS, &o->nr_cpus) || o->nr_cpus == 0)
				ERR("--cpus %s: between 1 and %d", v, EBB_MAX_CPUS);
		} else if (OPT("--cmdline")) {
			if (!v)
				return -1;
			o->cmdline = v;
		} else if (OPT("--append")) {
			if (!v)
				return -1;
			o->append = v;
		} else if (OPT("--name")) {
			if (!v)
				return -1;
			if (!runtime_name_valid(v))
				ERR("--name %s: 1 to 64 letters, digits, '-', '_' or '.' (not first)", v);
			o->name = v;
		} else if (OPT("--kernel")) {
			if (!v)
				return -1;
			o->kernel = v;
		} else if (OPT("--initrd")) {
			if (!v)
				return -1;
			o->initrd = v;
		} else if (!strcmp(a, "--balloon")) {
			o->balloon = true;
		} else if (!strncmp(a, "--balloon=", 10)) {
			if (balloon_parse_opts(a + 10, &o->balloon_cfg, err, errlen))
				return -1;
			o->balloon = true;
		} else if (OPT("--swap")) {
			if (!v || parse_swap(v, o, err, errlen))
				return -1;
		} else if (OPT("--inject")) {
			/* Armed at once: the points are the process's (one VM). */
			if (!v || fault_inject_set(v, err, errlen))
				return -1;
		} else if (OPT("--accel")) {
			if (!v)
				return -1;
			if (!strcmp(v, "kvm"))
				o->accel = EBB_ACCEL_KVM;
			else if (!strcmp(v, "qemu") || !strcmp(v, "tcg"))
				o->accel = EBB_ACCEL_QEMU;
			else if (!strcmp(v, "auto"))
				o->accel = EBB_ACCEL_AUTO;
			else
				ERR("--accel %s: kvm, qemu or auto", v);
		} else if (OPT("--host-node")) {
			if (!v || parse_host_nodes(v, o, err, errlen))
				return -1;
		} else {
			ERR("unknown option \"%s\" (see ebb run --help)", a);
		}
#undef OPT
	}

	if (options_check_cpus(o, err, errlen) || options_check_distance(o, err, errlen))
		return -1;
	return options_size_nodes(o, mem_given, err, errlen);
}

static int append(char *buf, size_t len, size_t *pos, const char *s)
{
	size_t n = strlen(s);

	if (!n)
		return 0;
	if (*pos + (*pos ? 1 : 0) + n + 1 > len)
		return -1;
	if (*pos)
		buf[(*pos)++] = ' ';
	memcpy(buf + *pos, s, n + 1);
	*pos += n;
	return 0;
}

/* "ebb.distance=D00,D01,...": the embedded guest's zonelists follow it (guest/mm/numa.c). */
static int distance_param(const struct ebb_options *o, char *buf, size_t len)
{
	int pos = snprintf(buf, len, "ebb.distance=");

	for (unsigned int i = 0; i < o->nr_distances; i++) {
		pos += snprintf(buf + pos, len - (size_t)pos, "%s%u", i ? "," : "", o->distance[i]);
		if ((size_t)pos >= len)
			return -1;
	}
	return 0;
}

int cmdline_build(const struct ebb_options *o, const struct ebb_layout *l,
		  const char *devices, char *buf, size_t len, char *err, size_t errlen)
{
	char numa[EBB_MAX_RANGES * 48 + 16];
	char param[sizeof(numa) + 16];
	size_t pos = 0;

	if (len > EBB_CMDLINE_MAX)
		len = EBB_CMDLINE_MAX;
	if (len == 0)
		ERR("no room for a command line");
	buf[0] = '\0';
	if (append(buf, len, &pos, o->cmdline ? o->cmdline : EBB_DEFAULT_CMDLINE))
		goto too_long;
	if (layout_numa_param(l, numa, sizeof(numa)) > 0) {
		snprintf(param, sizeof(param), "ebb.numa=%s", numa);
		if (append(buf, len, &pos, param))
			goto too_long;
		if (o->nr_distances && (distance_param(o, param, sizeof(param)) ||
					append(buf, len, &pos, param)))
			goto too_long;
	}
	if (devices && append(buf, len, &pos, devices))
		goto too_long;
	/* The driver learns the reporting order as Linux's page_reporting does. */
	if (o->balloon && o->balloon_cfg.report_order) {
		snprintf(param, sizeof(param), "page_reporting.page_reporting_order=%u",
			 o->balloon_cfg.report_order);
		if (append(buf, len, &pos, param))
			goto too_long;
	}
	if (o->append && append(buf, len, &pos, o->append))
		goto too_long;
	return (int)pos;
too_long:
	ERR("the guest command line is longer than %zu bytes", len - 1);
}
