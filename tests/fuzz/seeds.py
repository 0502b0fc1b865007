#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpora of the fuzz targets into tests/fuzz/corpus/TARGET/.

Each seed is a small meaningful input in the target's format (see the
comment at the top of each tests/fuzz/fuzz_TARGET.c): a valid virtio-blk
read, write, flush and GET_ID, a chain across the node boundary and one
that loops; balloon inflate/deflate/stats/reporting requests; control
requests with the guest's answers; real QEMU 7.2 QMP replies; a PVH ELF
and a bzImage header.  The checked-in files are this script's output:
run it again after changing a format.

    tests/fuzz/seeds.py [OUTDIR]
"""
import os
import struct
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")

# --- the device targets' driver program (tests/fuzz/fuzz_virtq.h) ----------
WRITE, DESC, PUBLISH, AVAIL, MMIO, PROCESS, USED = range(7)
F_NEXT, F_WRITE, F_INDIRECT = 1, 2, 4


def hdr(log2size, ring):
    return struct.pack("<BI", log2size, ring)


def op_write(gpa, data):
    out = b""
    for off in range(0, len(data), 255):
        part = data[off:off + 255]
        out += struct.pack("<BIB", WRITE, gpa + off, len(part)) + part
    return out


def op_desc(q, i, addr, length, flags, nxt):
    return struct.pack("<BBHQIHH", DESC, q, i, addr, length, flags, nxt)


def op_publish(q, head):
    return struct.pack("<BBH", PUBLISH, q, head)


def op_process():
    return bytes([PROCESS])


def blk_req(rtype, sector):
    return struct.pack("<IIQ", rtype, 0, sector)


def virtq_blk():
    base = bytes([0x07]) + hdr(7, 0)	# FLUSH, SEG_MAX, BLK_SIZE; 128 entries at 0
    seeds = {}
    # A read of one sector: header, data (device-writable), status.
    seeds["read"] = base + op_write(0x4000, blk_req(0, 2)) + op_desc(0, 0, 0x4000, 16, F_NEXT, 1) + \
        op_desc(0, 1, 0x5000, 512, F_WRITE | F_NEXT, 2) + op_desc(0, 2, 0x6000, 1, F_WRITE, 0) + \
        op_publish(0, 0) + op_process()
    # A write of two sectors whose data crosses from node 0 into node 1.
    seeds["write-across-nodes"] = base + op_write(0x4000, blk_req(1, 8)) + \
        op_desc(0, 3, 0x4000, 16, F_NEXT, 4) + op_desc(0, 4, 0x7e00, 1024, F_NEXT, 5) + \
        op_desc(0, 5, 0x6000, 1, F_WRITE, 0) + op_publish(0, 3) + op_process()
    seeds["flush"] = base + op_write(0x4000, blk_req(4, 0)) + op_desc(0, 0, 0x4000, 16, F_NEXT, 1) + \
        op_desc(0, 1, 0x6000, 1, F_WRITE, 0) + op_publish(0, 0) + op_process()
    seeds["get-id"] = base + op_write(0x4000, blk_req(8, 0)) + op_desc(0, 0, 0x4000, 16, F_NEXT, 1) + \
        op_desc(0, 1, 0x5000, 20, F_WRITE | F_NEXT, 2) + op_desc(0, 2, 0x6000, 1, F_WRITE, 0) + \
        op_publish(0, 0) + op_process()
    # Two requests, then the same descriptors again: the ring index moves on.
    seeds["two-rounds"] = seeds["read"] + op_publish(0, 0) + op_publish(0, 0) + op_process()
    # Hostile: a chain that loops, one into the hole, one past RAM.
    seeds["loop"] = base + op_desc(0, 0, 0x4000, 16, F_NEXT, 1) + op_desc(0, 1, 0x5000, 16, F_NEXT, 0) + \
        op_publish(0, 0) + op_process()
    seeds["hole"] = base + op_write(0x4000, blk_req(0, 0)) + op_desc(0, 0, 0x4000, 16, F_NEXT, 1) + \
        op_desc(0, 1, 0xf000, 0x2000, F_WRITE, 0) + op_publish(0, 0) + op_process()
    return seeds


def virtq_balloon():
    # deflate-on-oom, stats, reporting offered; MUST_TELL_HOST, STATS_VQ, DEFLATE_ON_OOM,
    # REPORTING accepted; 64-entry queues at 0 (inflate), 0x2000, 0x4000 (stats), 0x6000 (reporting).
    base = bytes([0x07, 0x0f]) + hdr(6, 0) + struct.pack("<H", 256)
    pfns = struct.pack("<6I", 9, 10, 0x20, 0x21, 0x15, 0x1000)	# RAM, RAM, high RAM, hole, beyond
    seeds = {}
    seeds["inflate"] = base + op_write(0x9000, pfns) + op_desc(0, 0, 0x9000, len(pfns), 0, 0) + \
        op_publish(0, 0) + op_process()
    seeds["deflate"] = seeds["inflate"] + op_desc(1, 0, 0x9000, len(pfns), 0, 0) + op_publish(1, 0) + \
        op_process()
    stats = b"".join(struct.pack("<HQ", tag, val) for tag, val in
                     [(0, 1), (1, 2), (4, 1 << 20), (5, 8 << 20), (0x100, 7), (0x7fff, 9)])
    seeds["stats"] = base + op_write(0x9100, stats) + op_desc(2, 0, 0x9100, len(stats), 0, 0) + \
        op_publish(2, 0) + op_process() + op_publish(2, 0) + op_process()
    seeds["report"] = base + op_desc(3, 0, 0x20000, 0x2000, F_WRITE, 0) + \
        op_desc(3, 1, 0x22000, 0x1000, F_WRITE | F_NEXT, 2) + op_desc(3, 2, 0x24000, 0x1000, F_WRITE, 0) + \
        op_publish(3, 0) + op_publish(3, 1) + op_process()
    # Without stats and reporting (queues 0 and 1 only): an inflate across the node boundary.
    seeds["plain-inflate"] = bytes([0, 1]) + hdr(3, 0) + struct.pack("<H", 16) + \
        op_write(0x9000, struct.pack("<4I", 6, 7, 8, 9)) + op_desc(0, 0, 0x9000, 16, 0, 0) + \
        op_publish(0, 0) + op_process()
    return seeds


def balloon_pfn():
    return {
        "inflate": bytes([0]) + struct.pack("<3I", 3, 4, 5),
        "inflate-across-nodes": bytes([0]) + struct.pack("<2I", 7, 8),
        "inflate-hole-dup": bytes([2]) + struct.pack("<5I", 0x11, 0x21, 0x21, 0x9, 0xffffffff),
        "deflate": bytes([1]) + struct.pack("<3I", 3, 0x25, 0x30),
        "inflate-all": bytes([0]) + struct.pack("<40I", *range(40)),
    }


def proc(name, limit=40):
    try:
        with open("/proc/" + name) as f:
            return "".join(f.readlines()[:limit])
    except OSError:
        return ""


BUDDYINFO = ("Node 0, zone      DMA      1      1      1      0      2      1      1      0      1      1      3\n"
             "Node 0, zone   Normal    512    143     61     20      7      2      1      0      0      0      5\n")


def chan_answer(rid, text, status=0):
    return "".join(f"{rid} | {line}\n" for line in text.splitlines()) + f"{rid} = {status}\n"


def control():
    seeds = {}
    seeds["query-status"] = '{"execute": "query-status"}\n'
    seeds["buddyinfo"] = ('{"execute": "query-memory", "arguments": {"view": "buddyinfo"}}\n\0'
                          "* ready\n" + chan_answer(1, BUDDYINFO))
    seeds["memory-all"] = ('{"execute": "query-memory"}\n\0* ready\n' + chan_answer(1, BUDDYINFO) +
                           chan_answer(2, proc("vmstat")) + chan_answer(3, proc("zoneinfo", 60)) +
                           chan_answer(4, proc("meminfo")))
    seeds["exec"] = ('{"execute": "guest-exec", "arguments": {"command": "cat /proc/vmstat", "timeout": 5}}\n'
                     '\0* ready\n' + chan_answer(1, "nr_free_pages 1234\npgfault 99") + "\0")
    seeds["workload"] = ('{"execute": "workload-start", "arguments": {"workload": "anon 64M seq"}}\n'
                         '{"execute": "workload-stop", "arguments": {"job": 1}}\n\0* ready\n' +
                         chan_answer(1, "[1] wl/anon") + chan_answer(2, "", 1) + "? = 22\n")
    seeds["balloon"] = ('{"execute": "balloon", "arguments": {"value": 268435456}}\n'
                        '{"execute": "balloon", "arguments": {"inflate": 4096}}\n'
                        '{"execute": "query-balloon"}\n{"execute": "query-kvm-stats"}\n')
    seeds["errors"] = ('not json\n{"execute": 1}\n{"execute": "nope"}\n'
                       '{"execute": "query-memory", "arguments": {"view": "nope"}}\n'
                       '{"execute": "guest-exec", "arguments": []}\n{"execute": "quit"}\n')
    seeds["console"] = '{"execute": "console"}\nls\n\0* ready\n'
    seeds["slabinfo"] = ('{"execute": "query-memory", "arguments": {"view": "slabinfo"}}\n\0* ready\n' +
                         chan_answer(1, "slabinfo - version: 2.1\n# name <active_objs> <num_objs> "
                                     "<objsize> <objperslab> <pagesperslab> : tunables <limit> "
                                     "<batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> "
                                     "<sharedavail>\nkmalloc-64 1024 1024 64 64 1 : tunables 0 0 0 : "
                                     "slabdata 16 16 0"))
    return {k: v.encode() for k, v in seeds.items()}


GREETING = ('{"QMP": {"version": {"qemu": {"micro": 19, "minor": 2, "major": 7}, '
            '"package": "Debian 1:7.2+dfsg-7+deb12u7"}, "capabilities": ["oob"]}}\n')


def qmp():
    stats = ('{"return": {"stats": {"stat-htlb-pgalloc": 0, "stat-swap-out": 0, '
             '"stat-available-memory": 18446744073709551615, "stat-htlb-pgfail": 0, '
             '"stat-free-memory": 480755712, "stat-minor-faults": 12800, "stat-major-faults": 3, '
             '"stat-total-memory": 512000000, "stat-swap-in": 0, "stat-disk-caches": 1000}, '
             '"last-update": 1733300000}, "id": 3}\n')
    seeds = {
        "replies": GREETING + '{"return": {}, "id": 1}\n{"return": {"actual": 536870912}, "id": 2}\n' +
        stats + '{"return": {}, "id": 4}\n{"return": {"status": "running", "running": true}, "id": 5}\n',
        "events": GREETING + '{"timestamp": {"seconds": 1733300000, "microseconds": 5}, '
        '"event": "BALLOON_CHANGE", "data": {"actual": 268435456}}\n\0'
        '{"return": {"actual": 268435456}, "id": 2}\n',
        "errors": '{"error": {"class": "GenericError", "desc": "No balloon device has been activated"}, '
        '"id": 4}\n{"error": {"class": "CommandNotFound", "desc": "nope"}, "id": 5}\n',
        "rounds": '{"return": {}, "id": 1}\n\0{"return": {"actual": 1}, "id": 2}\n\0' + stats,
    }
    return {k: v.encode() for k, v in seeds.items()}


def pvh_elf(paddr=0x100000, entry=0x100000, linux=False, code=b"\xf4" * 16):
    """A minimal PVH kernel: one PT_LOAD and a PT_NOTE with XEN_ELFNOTE_PHYS32_ENTRY."""
    def note(ntype, desc):
        name = b"Xen\0"
        d = desc + b"\0" * (-len(desc) % 4)
        return struct.pack("<III", 4, len(desc), ntype) + name + d
    notes = note(18, struct.pack("<I", entry))		# XEN_ELFNOTE_PHYS32_ENTRY
    if linux:
        notes += note(6, b"linux\0")			# XEN_ELFNOTE_GUEST_OS
    ehsize, phsize = 64, 56
    off_notes = ehsize + 2 * phsize
    off_code = off_notes + len(notes)
    eh = struct.pack("<4sBBBBB7sHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, 0, b"\0" * 7,
                     2, 62, 1, entry, ehsize, 0, 0, ehsize, phsize, 2, 0, 0, 0)
    load = struct.pack("<IIQQQQQQ", 1, 7, off_code, paddr, paddr, len(code), len(code) + 0x1000, 0x1000)
    pnote = struct.pack("<IIQQQQQQ", 4, 4, off_notes, 0, 0, len(notes), len(notes), 4)
    return eh + load + pnote + notes + code


def bzimage(setup_sects=1, version=0x020f, relocatable=1, kernel=2048):
    img = bytearray((setup_sects + 1) * 512 + kernel)
    hdr = {
        0x1f1: ("B", setup_sects), 0x1fe: ("H", 0xaa55), 0x200: ("B", 0xeb),
        0x201: ("B", 0x6a),		# the header ends at 0x26c (protocol 2.15)
        0x202: ("I", 0x53726448), 0x206: ("H", version), 0x211: ("B", 0x01),	# LOADED_HIGH
        0x214: ("I", 0x100000), 0x22c: ("I", 0x7fffffff), 0x230: ("I", 0x200000),
        0x234: ("B", relocatable), 0x236: ("H", 0x1),	# XLF_KERNEL_64
        0x238: ("I", 2048), 0x258: ("Q", 0x1000000), 0x260: ("I", 0x400000),
        0x1f4: ("I", kernel // 16),
    }
    for off, (fmt, val) in hdr.items():
        struct.pack_into("<" + fmt, img, off, val)
    return bytes(img)


def boot():
    def pre(machine, carve=0, initrd_kib=0):
        return struct.pack("<BHH", machine, carve, initrd_kib)
    seeds = {
        "pvh": pre(0) + pvh_elf(),
        "pvh-initrd": pre(4, 0, 1024) + pvh_elf(linux=True),
        "pvh-two-nodes": pre(1, 0, 64) + pvh_elf(paddr=0x7ff000, entry=0x7ff000),
        "bzimage": pre(0, 0, 512) + bzimage(),
        "bzimage-fixed": pre(5, 0, 0) + bzimage(relocatable=0),
        "bzimage-big": pre(2, 0, 65535) + bzimage(),
        "bzimage-carved": pre(3, 16, 2048) + bzimage(),
    }
    hello = os.path.join(os.path.dirname(__file__), "../../build/tests/e2e/guests/vmm_hello.elf")
    if os.path.exists(hello):
        with open(hello, "rb") as f:
            seeds["vmm_hello"] = pre(0, 0, 4) + f.read()
    return seeds


def guest_vring():
    def add(out, inn, *lens):
        return bytes([0, out, inn]) + b"".join(struct.pack("<H", n) for n in lens)
    used = lambda i, n: bytes([2]) + struct.pack("<II", i, n)
    seeds = {
        # Two chains, the device uses both in order, the driver harvests.
        "in-order": bytes([3]) + add(1, 1, 16, 512) + add(1, 2, 16, 256, 1) + bytes([1]) +
        used(0, 512) + used(2, 257) + bytes([4, 4]),
        "out-of-order": bytes([4]) + add(2, 0, 8, 8) + add(0, 1, 64) + bytes([1]) + used(2, 64) +
        used(0, 0) + bytes([6]),
        # Hostile: an id never given, a length over the chain, the index running ahead.
        "bad-id": bytes([2]) + add(1, 1, 16, 16) + bytes([1]) + used(3, 0) + bytes([4]),
        "too-long": bytes([2]) + add(1, 1, 16, 16) + bytes([1]) + used(0, 17) + bytes([4]),
        "index-ahead": bytes([2]) + add(1, 0, 16) + bytes([1, 3]) + struct.pack("<H", 9) + bytes([4]),
        "reset": bytes([3]) + add(1, 1, 16, 16) + add(1, 0, 4) + bytes([1, 5, 5, 5]),
    }
    return seeds


def main():
    for target, seeds in [("virtq_blk", virtq_blk()), ("virtq_balloon", virtq_balloon()),
                          ("balloon_pfn", balloon_pfn()), ("control", control()), ("qmp", qmp()),
                          ("boot", boot()), ("guest_vring", guest_vring())]:
        d = os.path.join(OUT, target)
        os.makedirs(d, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        print(f"{target}: {len(seeds)} seeds in {d}")


if __name__ == "__main__":
    main()
