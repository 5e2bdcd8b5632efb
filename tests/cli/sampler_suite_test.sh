#!/usr/bin/env bash
# benchmarks/sampler_suite end to end on tiny targets: one table section and one PNG per target, a wall-clock
# column per thread count (the suite itself checks that the runs agree: the kernels are bit-identical), and
# PT's swap rate in its rows.
#   sampler_suite_test.sh SUITE EBM WORK
set -euo pipefail
suite=$1 ebm=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
"$suite" --ebm "$ebm" --out "$work" --chains 6 --steps 40 --threads 2,1 \
  --targets ising:4x4:0.1,bernoulli:20,potts:4x4:3:1.0 --samplers gibbs,gwg,pt:gwg:2 \
  --potts-samplers gibbs,pt:gibbs:2 2> "$work/log"
table=$work/results.md
fail() { echo "FAIL: $*" >&2; cat "$table" >&2; exit 1; }
[[ $(grep -c '^## `' "$table") == 3 ]] || fail "expected 3 target sections"
for png in ising_4x4_0.1.png bernoulli_20.png potts_4x4_3_1.0.png; do
  [[ -s $work/$png ]] || fail "no $png"
  grep -qF "]($png)" "$table" || fail "$png is not linked from the table"
done
grep -qF 'ESS/s wall, 2 threads | ESS/s wall, 1 thread |' "$table" || fail "no wall-clock column per thread count"
python3 - "$table" <<'PY' || fail "swap column"
import sys
rows = [l.split("|")[1:-1] for l in open(sys.argv[1]) if l.startswith("| ")]
head = [c.strip() for c in rows[0]]
k = head.index("swap")
for r in rows:
    name, swap = r[0].strip(), r[k].strip()
    if name.startswith("pt:"):
        assert 0 <= float(swap) <= 1, (name, swap)
    elif name in ("gibbs", "gwg"):
        assert swap == "–", (name, swap)
PY
summary=$work/summary.md
grep -qF '| sampler | `ising:4x4:0.1` | `bernoulli:20` | `potts:4x4:3:1.0` |' "$summary" || fail "summary.md: $(cat "$summary")"
[[ $(grep -c '^| pt:gibbs:2 |' "$summary") == 2 ]] || fail "summary.md lacks a row per sampler in each table"
echo "sampler_suite: ok"
