#!/bin/sh
# List C functions longer than N lines, longest first: "LINES FILE:LINE NAME".
#
#   tests/tools/long-functions.sh [-n N] [DIR|FILE ...]   (N: 120; dirs: vmm balloon guest guestmm)
#
# Kernel style makes this a brace counter: a definition starts at a line in
# column 0 that names a function (identifier, then '('), its body opens
# with '{' in column 0 and ends at the next '}' in column 0.  The count runs
# from the line with the name to the closing brace, both included.  Exits 1
# if any function is over N lines.
max=120
if [ "$1" = "-n" ]; then
	max=$2
	shift 2
fi
[ $# -eq 0 ] && set -- vmm balloon guest guestmm

find "$@" -name '*.c' | sort | xargs awk -v max="$max" '
FNR == 1 { name = ""; inbody = 0 }
!inbody && /^[A-Za-z_][^;]*\(/ && !/^(static |extern )?(struct|union|enum) [A-Za-z_0-9]+ *\{/ {
	s = $0
	sub(/\(.*/, "", s)
	n = split(s, w, /[^A-Za-z_0-9]+/)
	while (n > 0 && w[n] == "")
		n--
	if (n > 0) {
		name = w[n]
		start = FNR
	}
	next
}
!inbody && /^\{/ && name != "" { inbody = 1; next }
!inbody && /^[^ \t\/*]/ && !/^\{/ && !/\)[ \t]*$/ && !/,[ \t]*$/ { name = "" }
inbody && /^\}/ {
	len = FNR - start + 1
	if (len > max)
		printf "%d %s:%d %s\n", len, FILENAME, start, name
	inbody = 0
	name = ""
}
' | sort -rn | awk '{ print } END { exit NR > 0 }'
