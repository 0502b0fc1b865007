#!/bin/sh
# Name the file paths a document mentions that do not exist: "DOC: PATH".
#
#   tests/tools/doc-paths.sh [DOC ...]   (default: docs/ARCHITECTURE.md)
#
# A path is a word of path characters with a source or script suffix
# (.c .h .S .sh .inc .py .md), or a directory of the tree ending in '/'
# (one whose first component is a top-level directory), in backticks or
# bare.  One with a '/' must exist from the top of the tree;
# a bare file name (tables write "guestmm/lru.c, workingset.c") or a path
# relative to the directory named before it ("control/chan.c" under vmm/)
# must be some tracked file's tail.  build/ paths are outputs: skipped.
# Exits 1 if any is missing.  Run from the top of the tree.
[ $# -eq 0 ] && set -- docs/ARCHITECTURE.md
tracked=$(mktemp)
trap 'rm -f "$tracked"' EXIT
git ls-files > "$tracked"
bad=0
for doc in "$@"; do
	for p in $(grep -oE '[A-Za-z0-9_.][A-Za-z0-9_./-]*(\.(c|h|S|sh|inc|py|md)\b|/)' "$doc" |
		   grep -vE '^(build/|\.+/?$|https?:|[0-9./]+$)' | sort -u); do
		[ -e "$p" ] && continue
		re=$(printf '%s' "$p" | sed 's/[.]/\\./g')
		case "$p" in
		*/)	# a directory: only the tree's ("and/or/" in prose is none)
			grep -q "^${p%%/*}/" "$tracked" || continue
			grep -q "^$re" "$tracked" && continue ;;
		*) grep -qE "(^|/)$re\$" "$tracked" && continue ;;
		esac
		echo "$doc: $p"
		bad=1
	done
done
exit $bad
