#!/bin/sh
# train_fullfs_test.sh — slope.train on a full file system, for real: a 64 KiB
# tmpfs holds the run's CSV and JSONL logs and its checkpoint. The run must stop
# with an error naming the file that could not be written (not report success),
# leave its last checkpoint whole and no temporary file; with room again, the
# resumed run reaches the uninterrupted run's parameters bit for bit and its
# logs have every row once. Mounting needs root: elsewhere the test says so and
# is skipped.
S=${B:-build}/slope
case "$S" in /*) ;; *) S=$(pwd)/$S ;; esac
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $1"; }
tmp=$(mktemp -d)
mnt="$tmp/small"
mkdir -p "$mnt" "$tmp/ref"
mounted=
cleanup() {
  [ -n "$mounted" ] && umount "$mnt" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

if [ "$(id -u)" != 0 ] || ! mount -t tmpfs -o size=64k tmpfs "$mnt" 2>"$tmp/mount.err"; then
  echo "skipped: a full file system is tested on a 64 KiB tmpfs, and mounting one needs root" \
    "(uid $(id -u): $(cat "$tmp/mount.err" 2>/dev/null | head -n 1))"
  echo "0 passed, 0 failed"
  exit 0
fi
mounted=1
N=400

"$S" tests/cli/train_fullfs.lua full "$tmp/ref" $N >/dev/null 2>"$tmp/ref.err" || ko "reference run: $(cat "$tmp/ref.err")"

"$S" tests/cli/train_fullfs.lua run "$mnt" $N >"$tmp/out.txt" 2>"$tmp/err.txt"
rc=$?
[ "$rc" != 0 ] && ok || ko "the run on a full disk reported success: $(cat "$tmp/out.txt")"
grep -q "No space left on device" "$tmp/err.txt" && ok || ko "the error says the disk is full: $(head -c 400 "$tmp/err.txt")"
grep -Eq "slope.train: (log: writing $mnt/log\.(csv|jsonl) failed|checkpoint: .*$mnt/run\.ckpt\.tmp)" "$tmp/err.txt" && ok ||
  ko "the error names the file: $(head -c 400 "$tmp/err.txt")"
grep -q "attempt to" "$tmp/err.txt" && ko "a raw Lua error: $(head -c 400 "$tmp/err.txt")" || ok
[ ! -e "$mnt/final.txt" ] && ok || ko "the failed run went on to write its result"
ls "$mnt" | grep -q '\.tmp$' && ko "a temporary file was left: $(ls "$mnt")" || ok
k=$("$S" -e "print(slope.checkpoint.load('$mnt/run.ckpt').step)" 2>"$tmp/load.err")
case "$k" in ''|*[!0-9]*) ko "the last checkpoint loads: $(cat "$tmp/load.err")"; k=0 ;; *) ok ;; esac
[ "$k" -gt 0 ] && [ $((k % 25)) = 0 ] && [ "$k" -lt $N ] && ok || ko "the checkpoint is one of the run's (step $k)"

# room again: the run resumes and ends as the uninterrupted one did
mount -o remount,size=8m "$mnt" || ko "remount with room"
"$S" tests/cli/train_fullfs.lua resume "$mnt" $N >"$tmp/resume.txt" 2>&1 || ko "resumed run: $(cat "$tmp/resume.txt")"
[ "$(cat "$tmp/resume.txt")" = "$(printf 'done\t%s' $N)" ] && ok || ko "resumed run: [$(cat "$tmp/resume.txt")]"
cmp -s "$tmp/ref/final.txt" "$mnt/final.txt" && ok || ko "resumed parameters differ from the uninterrupted run's"
a=$(cut -d, -f1-12 "$tmp/ref/log.csv" | md5sum); b=$(cut -d, -f1-12 "$mnt/log.csv" | md5sum)
[ "$a" = "$b" ] && ok || ko "the resumed CSV log differs from the uninterrupted one (besides time)"
steps=$(tail -n +2 "$mnt/log.csv" | cut -d, -f1 | tr '\n' ' ')
[ "$steps" = "$(seq 1 $N | tr '\n' ' ')" ] && ok || ko "the CSV log has each step once"
a=$(sed 's/,"time":[^,}]*//' "$tmp/ref/log.jsonl" | md5sum); b=$(sed 's/,"time":[^,}]*//' "$mnt/log.jsonl" | md5sum)
[ "$a" = "$b" ] && ok || ko "the resumed JSONL log differs from the uninterrupted one (besides time)"

# only the logs on the small disk: the log fails, the checkpoint (elsewhere)
# is one from before the failure, and the resumed logs have every row once
umount "$mnt" && mounted=
rm -rf "$mnt"; mkdir -p "$mnt" "$tmp/ck"
mount -t tmpfs -o size=64k tmpfs "$mnt" && mounted=1 || ko "mount again"
"$S" tests/cli/train_fullfs.lua run "$mnt" 1000 "$tmp/ck" >"$tmp/out.txt" 2>"$tmp/err.txt"
[ $? != 0 ] && ok || ko "the run with its logs on a full disk reported success: $(cat "$tmp/out.txt")"
grep -Eq "slope.train: log: writing $mnt/log\.(csv|jsonl) failed: No space left on device \(the run stopped at step [0-9]+; its last checkpoint is in $tmp/ck/run.ckpt\)" "$tmp/err.txt" &&
  ok || ko "the error names the log file and the checkpoint: $(head -c 400 "$tmp/err.txt")"
mount -o remount,size=8m "$mnt" || ko "remount with room"
"$S" tests/cli/train_fullfs.lua full "$tmp/ref" 1000 >/dev/null 2>"$tmp/ref.err" || ko "reference run: $(cat "$tmp/ref.err")"
"$S" tests/cli/train_fullfs.lua resume "$mnt" 1000 "$tmp/ck" >"$tmp/resume.txt" 2>&1 || ko "resumed run: $(cat "$tmp/resume.txt")"
cmp -s "$tmp/ref/final.txt" "$mnt/final.txt" && ok || ko "resumed parameters differ from the uninterrupted run's (logs on the full disk)"
a=$(cut -d, -f1-12 "$tmp/ref/log.csv" | md5sum); b=$(cut -d, -f1-12 "$mnt/log.csv" | md5sum)
[ "$a" = "$b" ] && ok || ko "the resumed CSV log differs from the uninterrupted one (logs on the full disk)"
a=$(sed 's/,"time":[^,}]*//' "$tmp/ref/log.jsonl" | md5sum); b=$(sed 's/,"time":[^,}]*//' "$mnt/log.jsonl" | md5sum)
[ "$a" = "$b" ] && ok || ko "the resumed JSONL log differs from the uninterrupted one (logs on the full disk)"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
