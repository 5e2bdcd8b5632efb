#!/usr/bin/env bash
# `ebm bench` end to end on tiny targets: every sampler spelling runs on a 4 x 4 Ising model (exact mean by
# enumeration: RMSE), a 20-dimensional factorized Bernoulli (exact mean and exact reference draws: RMSE and MMD²)
# a small trained RBM (block Gibbs, PT around it, MMD² against block-Gibbs reference chains) and a 6-unit MLP
# energy with base term (exact mean by enumeration) and a 3 x 3 Potts model with q = 3 (categorical kernels, PT
# around them, exact mean label by enumeration); the JSON is
# parsed and checked; every number but the times is bit-identical for --threads 1 and 2; unknown names are
# one-line errors listing the valid ones; --png writes a PNG.
# usage: bench_cli_tests.sh EBM MAKE_DATA MLP_MODEL_TOOL WORKDIR
set -euo pipefail
ebm=$1 make_data=$2 mlp_tool=$3 dir=$4
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
fail() { echo "FAILED: $*" >&2; exit 1; }

all=gibbs,sgibbs,hb:2:1,gwg,gwg:2,dula:0.5,dmala,pas:2,rwm,pt:gwg:3,pt:sgibbs:2:0.6
small=(--chains 6 --steps 64 --seed 5 --points 8 --json)
"$ebm" bench --target ising:4x4:0.3:0.1 --samplers "$all" "${small[@]}" --threads 1 --png ising.png > ising1.json
"$ebm" bench --target ising:4x4:0.3:0.1 --samplers "$all" "${small[@]}" --threads 2 > ising2.json
"$ebm" bench --target bernoulli:20:3 --samplers "$all" "${small[@]}" --reference-states 40 --threads 1 > bern1.json
"$ebm" bench --target bernoulli:20:3 --samplers "$all" "${small[@]}" --reference-states 40 --threads 2 > bern2.json

"$make_data" data.npy 200
"$ebm" train --data data.npy --hidden 8 --batch 20 --chains 20 --epochs 1 --seed 3 --out rbm.ebm > /dev/null
rbm=(--target rbm:rbm.ebm --samplers block,gwg,pt:block:3 --reference-states 30 --reference-sweeps 20 "${small[@]}")
"$ebm" bench "${rbm[@]}" --threads 1 > rbm1.json
"$ebm" bench "${rbm[@]}" --threads 2 > rbm2.json
"$mlp_tool" make mlp.ebm mlp-x.npy mlp-e.npy swish 1
mlp=(--target mlp:mlp.ebm --samplers gibbs,gwg:2,dmala,hb:2:2,pt:dmala:2 "${small[@]}")
"$ebm" bench "${mlp[@]}" --threads 1 > mlp1.json
"$ebm" bench "${mlp[@]}" --threads 2 > mlp2.json

potts=(--target potts:3x3:3:1.2:0.3 --samplers gibbs,sgibbs,gwg,pt:gibbs:3,pt:gwg:2 "${small[@]}")
"$ebm" bench "${potts[@]}" --threads 1 --trace-dir potts-traces > potts1.json
"$ebm" bench "${potts[@]}" --threads 2 > potts2.json

python3 - ising1.json ising2.json bern1.json bern2.json rbm1.json rbm2.json mlp1.json mlp2.json potts1.json potts2.json <<'PY' || fail "bench JSON checks"
import json, math, sys
def load(p):
    return json.load(open(p))
def timeless(j):
    j = dict(j); j.pop("threads"); j.pop("png", None)
    j["samplers"] = [{k: v for k, v in s.items() if k != "timing"} for s in j["samplers"]]
    return j
for one, two in zip(sys.argv[1::2], sys.argv[2::2]):
    a, b = load(one), load(two)
    assert timeless(a) == timeless(b), f"{one} and {two} differ beyond the timing"
    for s in a["samplers"]:
        name = s["sampler"]
        for key in ("hamming", "energy"):
            assert s["ess"][key] > 0 and math.isfinite(s["ess"][key]), (one, name, s["ess"])
            assert s["ess_per_evaluation"][key] > 0, (one, name)
            assert s["timing"]["ess_per_cpu_second"][key] is None or s["timing"]["ess_per_cpu_second"][key] > 0
        assert 0 <= s["acceptance_rate"] <= 1, (one, name, s["acceptance_rate"])
        assert s["series"]["step"][-1] == a["steps"], (one, name)
        assert len(s["series"]["step"]) == len(s["timing"]["series_cpu_seconds"])
        if a["exact_mean"]:
            assert 0 <= s["rmse"] < 0.5 * (a["labels"] - 1), (one, name, s["rmse"])  # labels as numbers
        if a["reference"] is not None:
            assert 0 <= s["mmd2"] < 1, (one, name, s["mmd2"])
        if name.startswith("pt:"):
            assert len(s["swap_rates"]) >= 1, (one, name)
    names = [s["sampler"] for s in a["samplers"]]
    by = {s["sampler"]: s for s in a["samplers"]}
    if "dmala" in by:
        assert by["dmala"]["step_size"] != 0.1, "DMALA's step size was not adapted"
    if "sgibbs" in by:
        assert by["sgibbs"]["evaluations_per_step"] == a["dim"], "a systematic sweep costs d evaluations"
    if "hb:2:1" in by:
        assert by["hb:2:1"]["evaluations_per_step"] == 3, "the 2-block ball of radius 1 has 3 states"
    if "pt:gwg:3" in by:
        assert by["pt:gwg:3"]["evaluations_per_step"] == 6, "3 replicas x (1 + 1 swap energy)"
ising = load("ising1.json")
assert ising["exact_mean"] and ising["reference"] is None, ising
assert ising["note"].startswith("sigma/sigma_c = 1.36 (ordered"), ising["note"]  # 0.3 / 0.2203
bern = load("bern1.json")
assert bern["exact_mean"] and bern["reference"].startswith("40 exact"), bern["reference"]
assert load("mlp1.json")["exact_mean"], "a 6-unit MLP energy has its exact mean by enumeration"
rbm = load("rbm1.json")
assert rbm["reference"].startswith("30 block-Gibbs chains"), rbm["reference"]
potts = load("potts1.json")
assert potts["exact_mean"] and potts["dim"] == 9 and potts["labels"] == 3, potts
assert load("ising1.json")["labels"] == 2
assert potts["note"].startswith("q = 3, J/J_c = 1.19 (ordered"), potts["note"]  # 1.2 / ln(1 + sqrt 3)
by = {s["sampler"]: s for s in potts["samplers"]}
assert by["sgibbs"]["evaluations_per_step"] == 9 and by["pt:gibbs:3"]["evaluations_per_step"] == 6, by.keys()
PY
python3 - potts-traces <<'PY' || fail "potts traces"
import struct, sys
def labels(path):  # float32 .npy: the values of a label matrix
    raw = open(path, "rb").read()
    header_len = struct.unpack("<H", raw[8:10])[0]
    data = raw[10 + header_len:]
    return struct.unpack("<%df" % (len(data) // 4), data)
for name in ("x0", "reference_state", "gwg.states", "pt_gibbs_3.states"):
    v = labels(sys.argv[1] + "/" + name + ".npy")
    assert set(v) <= {0.0, 1.0, 2.0} and len(set(v)) == 3, (name, sorted(set(v)))
PY

[[ $(head -c 4 ising.png | od -An -c | tr -d ' ') == '211PNG' ]] || fail "ising.png is not a PNG"

# The text table names every sampler.
"$ebm" bench --target ising:3x3:0.5 --samplers gibbs,gwg:2 --chains 4 --steps 32 > table.txt
grep -q "^gwg:2 " table.txt || fail "the table lacks gwg:2"
grep -q "RMSE" table.txt || fail "the table lacks the RMSE column"
"$ebm" bench --target potts:3x3:3:1.0 --samplers gibbs,pt:gwg --chains 4 --steps 32 --threads 1 > potts.txt
grep -q "^target potts:3x3:3:1.0: d = 9, q = 3" potts.txt || fail "the potts table lacks its header: $(cat potts.txt)"
grep -q "^gibbs " potts.txt && grep -q "^pt:gwg .*swaps" potts.txt || fail "the potts table lacks a sampler: $(cat potts.txt)"

# Errors: one line, non-zero status, naming the valid spellings.
expect_error() {  # expect_error PATTERN ARGS...
  local pattern=$1; shift
  if "$ebm" bench "$@" > out.txt 2> err.txt; then fail "ebm bench $* succeeded"; fi
  [[ $(wc -l < err.txt) == 1 ]] || fail "ebm bench $*: error is not one line: $(cat err.txt)"
  grep -q -- "$pattern" err.txt || fail "ebm bench $*: error '$(cat err.txt)' lacks '$pattern'"
}
expect_error "valid: gibbs, sgibbs, block, hb, gwg, dula, dmala, pas, rwm, pt:NAME" --target ising:3x3:0.2 --samplers gibbs,nope
expect_error "valid: ising:LxW:sigma\[:field\], potts:LxW:q:J" --target lattice:3x3 --samplers gibbs
expect_error "write potts:LxW:q:J\[:field\]" --target potts:3x3 --samplers gibbs
expect_error "labels q '1' must be an integer in \[2, 256\]" --target potts:3x3:1:0.5 --samplers gibbs
expect_error "sampler 'dmala': it moves binary states; the target's are categorical" --target potts:3x3:3:0.5 --samplers gibbs,dmala
expect_error "sampler 'pt:hb': it moves binary states" --target potts:3x3:3:0.5 --samplers pt:hb
expect_error "block Gibbs needs an rbm target" --target potts:3x3:3:0.5 --samplers block
expect_error "the categorical gwg takes no parameters" --target potts:3x3:3:0.5 --samplers gwg:2
expect_error "block Gibbs needs an rbm target" --target bernoulli:5 --samplers block
expect_error "hb takes at most 2" --target bernoulli:5 --samplers hb:2:1:1
expect_error "radius m '3' must be a number in \[1, 2\]" --target bernoulli:5 --samplers hb:2:3
expect_error "side L '2' must be an integer in \[3" --target ising:2x5:0.2 --samplers gibbs
expect_error "must be at least 16" --target ising:3x3:0.2 --samplers gibbs --steps 10
echo "bench CLI tests passed"
