#!/bin/sh
# Instructions per inference of a generated host project under callgrind: the
# difference between runs on 2 records and on 1 record (setup and I/O cancel out).
# Usage: callgrind.sh PROJECT_DIR [RECORD_BYTES]
set -e
dir=$1
bytes=$2
[ -n "$bytes" ] || bytes=$(grep -h '_BYTES' "$dir/model.h" | grep INPUT | awk '{s+=$3} END {print s}')
head -c "$bytes" "$dir/in.bin" > "$dir/cg1.bin"
head -c $((bytes * 2)) "$dir/in.bin" > "$dir/cg2.bin"
run() {
  valgrind --tool=callgrind --callgrind-out-file="$dir/cg.out" "$dir/build/model" "$1" "$dir/cg-out.bin" 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
a=$(run "$dir/cg1.bin")
b=$(run "$dir/cg2.bin")
echo "$(basename "$dir"): $((b - a)) instructions per inference"
