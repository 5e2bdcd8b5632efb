#!/usr/bin/env bash
# End-to-end tests of `ebm train/eval/sample --model mlp` (an MLP energy over binary data) on small generated
# data: training with GWG + PCD, DMALA + replay buffer and GWG:2 + CD; a run stopped and resumed equals the
# uninterrupted one bit for bit (θ, Adam's moments, chains, buffer, streams, the adapted step size); eval exact
# vs the generic AIS; sampling with a binary kernel and with PT; the impossible combinations as one-line errors.
# usage: run_mlp_cli_tests.sh EBM MAKE_DATA WORKDIR
set -euo pipefail
ebm=$1 make_data=$2 dir=$3
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
expect_error "--kernel gwg with --model rbm" "$ebm" train --data d16.npy --kernel gwg
expect_error "--policy replay with --model rbm" "$ebm" train --data d16.npy --policy replay
expect_error "--step-size is for --kernel dula or dmala" "$ebm" train "${mlp[@]}" --kernel gwg --step-size 0.1
expect_error "--policy pt with --model mlp" "$ebm" train "${mlp[@]}" --policy pt
expect_error "--kernel 'hmc' is unknown" "$ebm" train "${mlp[@]}" --kernel hmc
expect_error "gwg:K must be an integer" "$ebm" train "${mlp[@]}" --kernel gwg:0
expect_error "--layers '8,x'" "$ebm" train --model mlp --data d16.npy --layers 8,x
expect_error "--kernel gibbs with an MLP energy" "$ebm" sample --model gwg-pcd-full.ebm --kernel gibbs
"$ebm" train --data d16.npy --hidden 4 --batch 20 --chains 10 --epochs 1 --out rbm.ebm > /dev/null
expect_error "--kernel gwg with an RBM" "$ebm" eval --model rbm.ebm --kernel gwg --data d16.npy
expect_error "--ais-steps is an option of the generic AIS" "$ebm" eval --model rbm.ebm --ais-steps 2 --data d16.npy
echo "mlp cli tests: all passed"
