#!/usr/bin/env bash
# End-to-end tests of `ebm train/eval/sample --model mlp` (an MLP energy over binary data) on small generated
# data: training with GWG + PCD, DMALA + replay buffer, GWG:2 + CD and parallel tempering around GWG and DMALA; a
# run stopped and resumed equals the uninterrupted one bit for bit (θ, Adam's moments, chains, buffer, streams,
# the adapted step size; for PT every replica, the swap streams and statistics); a corrupt PT checkpoint is a
# one-line error; eval exact
# vs the generic AIS; sampling with a binary kernel and with PT; the impossible combinations as one-line errors.
# usage: run_mlp_cli_tests.sh EBM MAKE_DATA WORKDIR
set -euo pipefail
ebm=$1 make_data=$2 dir=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
fail() { echo "FAILED: $*" >&2; exit 1; }
"$make_data" d16.npy 200 16   # 16 binary inputs: exact log Z by enumeration for the eval check
mlp=(--model mlp --data d16.npy --layers 8 --batch 20 --chains 10 --k 3 --lr 0.01 --seed 3)

# Resume: 3 epochs in one go equal 1 epoch + resume, bit for bit, on another thread count, for each policy.
resume_case() {
  local name=$1; shift
  "$ebm" train "${mlp[@]}" "$@" --epochs 3 --threads 2 --out "$name-full.ebm" --json > "$name-full.log"
  "$ebm" train "${mlp[@]}" "$@" --epochs 3 --stop-after 1 --threads 1 --out "$name-part.ebm" > /dev/null
  "$ebm" train --resume "$name-part.ebm" --threads 2 --out "$name-resumed.ebm" > /dev/null
  "$ebm" export --model "$name-full.ebm" --npy "$name-full" > /dev/null
  "$ebm" export --model "$name-resumed.ebm" --npy "$name-resumed" > /dev/null
  for f in W0 b0 W1 b1 base; do
    cmp -s "$name-full/$f.npy" "$name-resumed/$f.npy" || fail "$name: resumed $f.npy differs from the uninterrupted run"
  done
  [[ $(grep -c '"event":"epoch"' "$name-full.log") == 3 ]] || fail "$name: --json did not print 3 epoch lines"
  grep -q '"acceptance_rate":' "$name-full.log" || fail "$name: --json lines lack the acceptance rate"
}
resume_case gwg-pcd --kernel gwg --policy pcd
resume_case dmala-replay --kernel dmala --policy replay --buffer 50 --reinit 0.1
resume_case gwg2-cd --kernel gwg:2 --policy cd --optimizer sgd --momentum 0.5
resume_case gwg-pt --kernel gwg --policy pt --temperatures 3 --beta-min 0.2
resume_case dmala-pt --kernel dmala --policy pt --temperatures 3 --optimizer sgd
resume_case hb-pcd --kernel hb:3:1 --policy pcd
resume_case pas-pt --kernel pas:2 --policy pt --temperatures 3
resume_case sgibbs-cd --kernel systematic-gibbs --policy cd
# An RBM trained through its free energy by a binary kernel (no centering, no hidden chains): the same resume
# guarantee, and the file is a bernoulli_rbm that eval and filters read.
rbm=(--model rbm --data d16.npy --hidden 6 --batch 20 --chains 10 --k 3 --lr 0.05 --seed 3)
rbm_resume_case() {
  local name=$1; shift
  "$ebm" train "${rbm[@]}" "$@" --epochs 3 --threads 2 --out "$name-full.ebm" > "$name-full.log"
  "$ebm" train "${rbm[@]}" "$@" --epochs 3 --stop-after 1 --threads 1 --out "$name-part.ebm" > /dev/null
  "$ebm" train --resume "$name-part.ebm" --threads 2 --out "$name-resumed.ebm" > /dev/null
  cmp -s "$name-full.ebm" "$name-resumed.ebm" || fail "$name: the resumed RBM file differs from the uninterrupted run"
  grep -q "training RBM 16x6 through its free energy" "$name-full.log" || fail "$name: $(head -1 "$name-full.log")"
}
rbm_resume_case rbm-gwg-pcd --kernel gwg --policy pcd
rbm_resume_case rbm-dmala-replay --kernel dmala --policy replay --buffer 40 --optimizer adam
rbm_resume_case rbm-sgibbs-pt --kernel systematic-gibbs --policy pt --temperatures 3
"$ebm" filters --model rbm-gwg-pcd-full.ebm --png rbm-gwg-filters.png > /dev/null || fail "filters of an RBM trained by GWG"
"$ebm" eval --model rbm-gwg-pcd-full.ebm --data d16.npy --exact > /dev/null || fail "eval of an RBM trained by GWG"

# PT: every section of the file (all replicas' chains.x, the chain and swap streams, the round-trip marks, θ, the
# optimizer) and the counters equal the uninterrupted run's; each temperature's DMALA step size too.
python3 - "$here/../support" <<'PY' || fail "PT resume: the checkpoint differs from the uninterrupted run"
import json, sys
sys.path.insert(0, sys.argv[1])
from model_file_sections import read_sections
for name in ("gwg-pt", "dmala-pt"):
    full, resumed = (dict(read_sections(open(f"{name}-{w}.ebm", "rb").read())[1]) for w in ("full", "resumed"))
    assert set(full) == set(resumed) and "state.pt.directions" in full, (name, sorted(full))
    for s in full:
        assert s == "meta" or full[s] == resumed[s], (name, s)
    mf, mr = json.loads(full["meta"]), json.loads(resumed["meta"])
    assert mf["training_state"] == mr["training_state"], name
    assert mf["training_state"]["chains"]["x"] == [30, 16] and mf["pt_rounds"] == 90, mf["training_state"]
    assert mf.get("kernel_step_sizes") == mr.get("kernel_step_sizes"), name
assert len(mf["kernel_step_sizes"]) == 3, mf
PY
for f in gwg-pt-full.log dmala-pt-full.log; do
  grep -q '"swap_rates":\[' $f && grep -q '"round_trips":' $f || fail "$f: PT epochs report no swap rates"
done
grep -q '"step_size":' dmala-replay-full.log || fail "dmala --json lines lack the adapted step size"
grep -q '"kernel":"dmala"' dmala-replay-full.log || fail "--json lines do not name the kernel"
# The defaults: DMALA, replay buffer, Adam (the text output names them).
"$ebm" train --model mlp --data d16.npy --layers 8 --batch 20 --chains 10 --buffer 40 --k 2 --epochs 1 \
  --out defaults.ebm > defaults.txt
grep -q "dmala replay-2" defaults.txt && grep -q "adam" defaults.txt || fail "mlp defaults: $(head -1 defaults.txt)"

# Eval: the generic AIS (GWG, the default, and DMALA) agrees with exact log Z within 4 standard errors (+0.05).
"$ebm" eval --model dmala-replay-full.ebm --data d16.npy --exact --json > exact.json
"$ebm" eval --model dmala-replay-full.ebm --data d16.npy --ais-runs 50 --ais-betas 500 --json > gwg.json
"$ebm" eval --model dmala-replay-full.ebm --data d16.npy --ais-runs 50 --ais-betas 500 --kernel dmala --json > dmala.json
python3 - exact.json gwg.json dmala.json <<'PY' || fail "MLP AIS log Z is not within 4 standard errors of exact"
import json, sys
e, *runs = (json.load(open(p)) for p in sys.argv[1:])
for a in runs:
    assert a["method"] == "ais" and a["ais_kernel"] in ("gwg", "dmala"), a
    assert abs(e["log_z"] - a["log_z"]) <= 4 * a["log_z_stderr"] + 0.05, (e["log_z"], a["log_z"], a["log_z_stderr"])
    assert abs(e["mean_log_likelihood"] - a["mean_log_likelihood"]) <= 4 * a["log_z_stderr"] + 0.05
PY
"$ebm" eval --model gwg-pcd-full.ebm --data d16.npy --ais-runs 20 --ais-betas 200 > eval.txt
grep -q "AIS kernel gwg" eval.txt && grep -q "mean log-likelihood" eval.txt || fail "eval text output: $(cat eval.txt)"

# Sample: a binary kernel (with the picture and diagnostics) and PT with it.
"$ebm" sample --model gwg-pcd-full.ebm --chains 8 --steps 20 --burn-in 5 --out s.npy --png s.png --json > s.json
[[ $(head -c 4 s.png | od -An -c | tr -d ' ') == '211PNG' ]] || fail "sample --png of an MLP energy is not a PNG"
python3 - s.json <<'PY' || fail "sample --json of an MLP energy"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["sampler"] == "gwg" and j["kernel"] == "gwg" and 0 < j["acceptance_rate"] <= 1, j
assert set(j["diagnostics"]) == {"energy", "visible_mean"}, j
PY
"$ebm" sample --model gwg-pcd-full.ebm --sampler pt --temperatures 3 --kernel dmala --warmup 20 --chains 4 \
  --steps 10 --out pt.npy --json > pt.json
grep -q '"swap_rates":\[' pt.json || fail "PT sample of an MLP energy reports no swap rates"
# The Hamming-ball and path-auxiliary kernels in sample and in the generic AIS, like the others.
"$ebm" sample --model hb-pcd-full.ebm --kernel hb:4:2 --chains 4 --steps 10 --out hb.npy > /dev/null
"$ebm" eval --model hb-pcd-full.ebm --data d16.npy --kernel pas:2 --ais-runs 20 --ais-betas 200 > pas-eval.txt
grep -q "AIS kernel pas:2" pas-eval.txt || fail "eval --kernel pas:2: $(cat pas-eval.txt)"

# Impossible combinations: one line naming the options.
expect_error() {
  local want=$1; shift
  if "$@" 2> err.txt > /dev/null; then fail "'$*' succeeded"; fi
  [[ $(wc -l < err.txt) == 1 ]] || fail "'$*' printed $(wc -l < err.txt) lines on stderr"
  grep -q -- "$want" err.txt || fail "'$*' error lacks '$want': $(cat err.txt)"
}
expect_error "--kernel gibbs (block Gibbs) with --model mlp" "$ebm" train "${mlp[@]}" --kernel gibbs
expect_error "--hidden is an option of --model rbm" "$ebm" train "${mlp[@]}" --hidden 12
expect_error "--layers is an option of --model mlp" "$ebm" train --data d16.npy --layers 8
expect_error "--centering with --model rbm --kernel gwg" "$ebm" train --data d16.npy --kernel gwg --centering
expect_error "--policy replay with --kernel gibbs" "$ebm" train --data d16.npy --policy replay
expect_error "--energy-penalty is an option of --model mlp" "$ebm" train --data d16.npy --kernel gwg \
  --energy-penalty 0.1
expect_error "--step-size is for --kernel dula or dmala" "$ebm" train "${mlp[@]}" --kernel gwg --step-size 0.1
expect_error "--temperatures and --beta-min need --policy pt" "$ebm" train "${mlp[@]}" --temperatures 3
# A corrupt PT checkpoint (CRC recomputed, so ebm's own checks must catch it): one line naming the entry.
edit() { python3 "$here/edit_model.py" "$@"; }
edit gwg-pt-part.ebm bad-streams.ebm stream-
expect_error "the checkpoint has 39 random streams; parallel tempering of 3 temperatures x 10 ladders needs 40" \
  "$ebm" train --resume bad-streams.ebm --out bad-out.ebm
edit gwg-pt-part.ebm bad-rounds.ebm pt_rounds=7
expect_error "pt_rounds = 7; 10 updates of k = 3 rounds make 30" "$ebm" train --resume bad-rounds.ebm --out bad-out.ebm
edit gwg-pt-part.ebm bad-x.ebm float:chains.x:5=0.5
expect_error "chains.x: entry" "$ebm" train --resume bad-x.ebm --out bad-out.ebm
edit dmala-pt-part.ebm bad-steps.ebm 'kernel_step_sizes=[0.1]'
expect_error "needs kernel_step_sizes, 3 positive step sizes of --kernel dmala" \
  "$ebm" train --resume bad-steps.ebm --out bad-out.ebm
expect_error "--kernel 'hmc' is unknown" "$ebm" train "${mlp[@]}" --kernel hmc
expect_error "--kernel 'hmc:2' is unknown" "$ebm" train "${mlp[@]}" --kernel hmc:2
expect_error "'0' is not an integer in \\[1, 1048576\\] (gwg:K, hb:K:M, pas:R)" "$ebm" train "${mlp[@]}" --kernel gwg:0
expect_error "only gwg:K (K flips per proposal), hb:K:M (block K, radius M) and pas:R" "$ebm" train "${mlp[@]}" \
  --kernel hb:3:1:2
expect_error "HammingBall: radius 4 must lie in \\[1, block size 3\\]" "$ebm" train "${mlp[@]}" --kernel hb:3:4
expect_error "--layers '8,x'" "$ebm" train --model mlp --data d16.npy --layers 8,x
expect_error "--kernel gibbs with an MLP energy" "$ebm" sample --model gwg-pcd-full.ebm --kernel gibbs
"$ebm" train --data d16.npy --hidden 4 --batch 20 --chains 10 --epochs 1 --out rbm.ebm > /dev/null
# An RBM sampled by a binary kernel on its free energy, alone and inside PT.
"$ebm" sample --model rbm.ebm --kernel gwg --chains 4 --steps 10 --out rbm-gwg.npy --json > rbm-gwg.json
"$ebm" sample --model rbm.ebm --kernel dmala --sampler pt --temperatures 3 --warmup 10 --chains 4 --steps 10 \
  --out rbm-pt.npy --json > rbm-pt.json
python3 - <<'PY' || fail "sample of an RBM with a binary kernel"
import json
g, p = json.load(open("rbm-gwg.json")), json.load(open("rbm-pt.json"))
assert g["kernel"] == "gwg" and 0 < g["acceptance_rate"] <= 1, g
assert p["kernel"] == "dmala" and len(p["swap_rates"]) == 2, p
PY
# An RBM with a binary kernel: the generic AIS over its free energy agrees with exact enumeration (within 4
# standard errors plus 0.02 nats of the finite schedule's bias) and names its kernel.
"$ebm" eval --model rbm.ebm --data d16.npy --exact --json > rbm-exact.json
"$ebm" eval --model rbm.ebm --data d16.npy --kernel dmala --ais-runs 50 --ais-betas 1000 --json > rbm-generic.json
python3 - <<'PY' || fail "generic AIS of an RBM's free energy"
import json
e, g = json.load(open("rbm-exact.json")), json.load(open("rbm-generic.json"))
assert g["ais_kernel"] == "dmala" and "ais_acceptance_rate" in g, g
assert abs(g["log_z"] - e["log_z"]) < 4 * g["log_z_stderr"] + 0.02, (g["log_z"], g["log_z_stderr"], e["log_z"])
PY
expect_error "--ais-steps is an option of the generic AIS" "$ebm" eval --model rbm.ebm --ais-steps 2 --data d16.npy
echo "mlp cli tests: all passed"
