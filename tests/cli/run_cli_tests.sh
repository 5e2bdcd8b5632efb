#!/usr/bin/env bash
# End-to-end tests of the `ebm` tool on small generated data: train, resume (bit for bit), eval, export/import,
# sample, filters, and one-line errors with a non-zero status.
# usage: run_cli_tests.sh EBM MAKE_DATA WORKDIR
set -euo pipefail
ebm=$1 make_data=$2 dir=$3
corpus=$(cd "$(dirname "$0")/../fuzz/corpus" && pwd)  # crafted files of the loaders (before the cd below)
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
fail() { echo "FAILED: $*" >&2; exit 1; }
"$make_data" data.npy 400
common=(--data data.npy --hidden 12 --batch 20 --chains 20 --lr 0.05 --seed 3)

# Resume: a 4-epoch run stopped after 2 epochs and resumed equals 4 epochs in one go, bit for bit, also on
# another thread count.
"$ebm" train "${common[@]}" --epochs 4 --threads 2 --out full.ebm --json > full.log
"$ebm" train "${common[@]}" --epochs 4 --stop-after 2 --threads 1 --out part.ebm > /dev/null
"$ebm" train --resume part.ebm --threads 2 --out resumed.ebm > /dev/null
"$ebm" export --model full.ebm --npy full > /dev/null
"$ebm" export --model resumed.ebm --npy resumed > /dev/null
for f in W b c; do cmp -s "full/$f.npy" "resumed/$f.npy" || fail "resumed $f.npy differs from the uninterrupted run"; done
[[ $(grep -c '"event":"epoch"' full.log) == 4 ]] || fail "--json did not print 4 epoch lines"
grep -q '"binarize":"stochastic"' full.log || fail "--json lines do not name the binarization"

# The same for PT-PCD: the checkpoint must hold every replica, the chain and swap streams and the parity of the
# swap rounds (19 updates per epoch: the run is stopped after an odd number of rounds).
pt=(--sampler pt --temperatures 4 --beta-min 0.4 --limit 380)
"$ebm" train "${common[@]}" "${pt[@]}" --epochs 3 --threads 2 --out pt-full.ebm --json > pt-full.log
"$ebm" train "${common[@]}" "${pt[@]}" --epochs 3 --stop-after 1 --threads 1 --out pt-part.ebm > /dev/null
"$ebm" train --resume pt-part.ebm --threads 2 --out pt-resumed.ebm > /dev/null
"$ebm" export --model pt-full.ebm --npy pt-full > /dev/null
"$ebm" export --model pt-resumed.ebm --npy pt-resumed > /dev/null
for f in W b c; do cmp -s "pt-full/$f.npy" "pt-resumed/$f.npy" || fail "resumed PT $f.npy differs from the uninterrupted run"; done
grep -q '"swap_rates":\[' pt-full.log || fail "PT --json lines do not report the swap rates"

# Eval: exact (12 hidden units) and AIS agree; JSON has the documented keys.
"$ebm" eval --model full.ebm --data data.npy --exact --json > exact.json
"$ebm" eval --model full.ebm --data data.npy --ais-runs 50 --ais-betas 2000 --json > ais.json
for k in log_z log_z_stderr mean_log_likelihood '"n"' binarize; do
  grep -q "$k" ais.json || fail "eval --json lacks $k"
done
python3 - exact.json ais.json <<'PY' || fail "AIS log Z is not within 4 standard errors (+0.05) of the exact value"
import json, sys
e, a = (json.load(open(p)) for p in sys.argv[1:3])
assert abs(e["log_z"] - a["log_z"]) <= 4 * a["log_z_stderr"] + 0.05, (e["log_z"], a["log_z"], a["log_z_stderr"])
PY

# Export / import round trip, float64 too.
"$ebm" export --model full.ebm --npy f64 --dtype float64 > /dev/null
"$ebm" import --npy f64 --out imported.ebm > /dev/null
"$ebm" export --model imported.ebm --npy again > /dev/null
for f in W b c; do cmp -s "full/$f.npy" "again/$f.npy" || fail "import of float64 $f.npy changed the values"; done

# Pictures and samples.
"$ebm" sample --model full.ebm --chains 16 --steps 20 --burn-in 10 --out s.npy --png s.png > /dev/null
"$ebm" filters --model full.ebm --png f.png > /dev/null
for p in s.png f.png; do [[ $(head -c 4 "$p" | od -An -c | tr -d ' ') == '211PNG' ]] || fail "$p is not a PNG"; done
[[ -s s.npy ]] || fail "sample wrote no .npy"
# Sampling diagnostics: per-trace ESS, R-hat and IAT in the JSON, the same block in the text output.
"$ebm" sample --model full.ebm --chains 8 --steps 40 --burn-in 10 --out s2.npy --json > sample.json
python3 - sample.json <<'PY' || fail "sample --json lacks the diagnostics or has impossible values"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["sampler"] == "gibbs" and j["acceptance_rate"] == 1.0 and j["chains"] == 8 and j["steps"] == 40, j
for trace in ("free_energy", "visible_mean"):
    d = j["diagnostics"][trace]
    for k in ("mean", "sd", "mcse", "ess_bulk", "ess_tail", "rhat", "iat"):
        assert k in d, (trace, k)
    assert d["chains"] == 8 and d["iterations"] == 40, d
    assert 0 < d["ess_bulk"] and 0 < d["iat"] and d["rhat"] > 0.9, d
PY
"$ebm" sample --model full.ebm --chains 8 --steps 40 --out s2.npy > sample.txt
for k in ess_bulk ess_tail rhat iat free_energy visible_mean "acceptance rate 1.000"; do
  grep -q "$k" sample.txt || fail "sample output lacks $k"
done
"$ebm" sample --model full.ebm --chains 4 --steps 5 --out s3.npy --json > short.json
grep -q '"diagnostics":null' short.json || fail "sample --json with 5 sweeps should report no diagnostics"
"$ebm" sample --model full.ebm --chains 4 --steps 20 --out s3.npy --json --no-diagnostics > off.json
grep -q '"diagnostics":null' off.json || fail "sample --no-diagnostics still reports diagnostics"
# Parallel tempering: with one temperature it is block Gibbs bit for bit; with a ladder the JSON and the text
# report the swap rate of each neighbour pair and the round trips.
"$ebm" sample --model full.ebm --chains 8 --steps 12 --burn-in 3 --seed 5 --out g1.npy > /dev/null
"$ebm" sample --model full.ebm --chains 8 --steps 12 --burn-in 3 --seed 5 --out p1.npy --sampler pt --temperatures 1 > /dev/null
cmp -s g1.npy p1.npy || fail "sample --sampler pt --temperatures 1 differs from --sampler gibbs"
"$ebm" sample --model full.ebm --chains 8 --steps 40 --burn-in 10 --out p4.npy --sampler pt --temperatures 4 \
  --beta-min 0.2 --json > pt-sample.json
python3 - pt-sample.json <<'PY' || fail "sample --sampler pt --json lacks swap_rates / round_trips or has impossible values"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["sampler"] == "pt" and j["chains"] == 8 and j["steps"] == 40, j
assert len(j["swap_rates"]) == 3 and all(0 <= r <= 1 for r in j["swap_rates"]), j
assert isinstance(j["round_trips"], int) and j["round_trips"] >= 0, j
assert j["diagnostics"]["free_energy"]["chains"] == 8, j
PY
"$ebm" sample --model full.ebm --chains 8 --steps 40 --out p4.npy --sampler pt --temperatures 4 > pt-sample.txt
grep -q "swap rates:" pt-sample.txt && grep -q "round trips" pt-sample.txt || fail "sample --sampler pt text lacks the swap rates"

# A deep EBM on a 2-D toy density: exact test NLL and pictures.
"$ebm" toy --dataset 8gaussians --epochs 3 --grid 60 --train 1000 --test 500 --json \
  --png-density toy_d.png --png-samples toy_s.png > toy.json
for k in test_nll true_test_nll; do grep -q "$k" toy.json || fail "toy --json lacks $k"; done
for p in toy_d.png toy_s.png; do [[ $(head -c 4 "$p" | od -An -c | tr -d ' ') == '211PNG' ]] || fail "$p is not a PNG"; done

# Synthetic 8 x 8 "digits" in MNIST-named IDX files (train --data mnist and the crafted-file cases below);
# `ebm crf` itself is tested by crf_cli_tests.sh (ctest cli:crf).
mkdir -p mnist && "$make_data" --mnist mnist 300 60

# Errors: one line on stderr, non-zero status, never a crash.
expect_error() {
  local want=$1; shift
  if "$@" 2> err.txt > /dev/null; then fail "'$*' succeeded"; fi
  [[ $(wc -l < err.txt) == 1 ]] || fail "'$*' printed $(wc -l < err.txt) lines on stderr"
  grep -q -- "$want" err.txt || fail "'$*' error lacks '$want': $(cat err.txt)"
}
head -c 300 full.ebm > truncated.ebm
expect_error "checksum mismatch" "$ebm" eval --model truncated.ebm --data data.npy --exact
expect_error "cannot open" "$ebm" eval --model missing.ebm --data data.npy
expect_error "--binarize 'x'" "$ebm" train "${common[@]}" --binarize x
expect_error "--batch = 1000 exceeds" "$ebm" train --data data.npy --batch 1000
expect_error "--k = 0" "$ebm" train "${common[@]}" --k 0
expect_error "learning_rate = 0" "$ebm" train --data data.npy --hidden 12 --batch 20 --lr 0 --epochs 1 --out x.ebm
expect_error "--hidden" "$ebm" train --data data.npy --hidden abc
expect_error "subcommand" "$ebm" frobnicate
expect_error "--sampler 'mh'" "$ebm" sample --model full.ebm --sampler mh
expect_error "need --sampler pt" "$ebm" sample --model full.ebm --temperatures 4
expect_error "--temperatures = 0" "$ebm" sample --model full.ebm --sampler pt --temperatures 0
expect_error "--beta-min = 1" "$ebm" sample --model full.ebm --sampler pt --beta-min 1
expect_error "'spiral' is unknown" "$ebm" toy --dataset spiral
expect_error "--hidden '64,x'" "$ebm" toy --hidden 64,x
# Crafted data files (tests/fuzz/corpus, issue 10 item 6): a one-line error naming the file and the field.
expect_error "is empty (0 rows)" "$ebm" train --data "$corpus/npy/repro-shape-0x64.npy" --hidden 2 --epochs 1
expect_error "has 0 columns" "$ebm" train --data "$corpus/npy/repro-shape-200x0.npy" --hidden 2 --epochs 1
expect_error "repro-shape-2e40x64.npy': truncated data" "$ebm" train --data "$corpus/npy/repro-shape-2e40x64.npy"
expect_error "'shape' entry 0 = 123456789012345678901 is too large" "$ebm" train --data "$corpus/npy/repro-shape-20-digits.npy"
expect_error "'shape' appears twice" "$ebm" eval --model full.ebm --data "$corpus/npy/repro-duplicate-shape.npy"
expect_error "format version 1.1" "$ebm" train --data "$corpus/npy/repro-version-1.1.npy"
mkdir -p bad-mnist && cp mnist/* bad-mnist/
cp "$corpus/idx/repro-dims-wrap-2e64.idx" bad-mnist/train-images-idx3-ubyte
expect_error "implausibly large" "$ebm" train --data mnist --data-dir bad-mnist
expect_error "implausibly large" "$ebm" crf --data-dir bad-mnist --train 40 --batch 10
# Crafted model files (issue 10), each with a recomputed CRC-32 (tests/cli/edit_model.py): one line on stderr,
# status 1 (an ebm::Error, never "internal error", status 2, or a crash). Resume cases also point the stored
# --data at a file that does not exist, so the message shows the checkpoint is refused before data is read.
expect_refusal() {
  local want=$1 status=0; shift
  "$@" 2> err.txt > /dev/null || status=$?
  [[ $status == 1 ]] || fail "'$*' exited with status $status, not 1: $(cat err.txt)"
  [[ $(wc -l < err.txt) == 1 ]] || fail "'$*' printed $(wc -l < err.txt) lines on stderr"
  grep -q -- "$want" err.txt || fail "'$*' error lacks '$want': $(cat err.txt)"
  if grep -q "internal error" err.txt; then fail "'$*' reports an internal error"; fi
}
edit() { python3 "$here/edit_model.py" "$@"; }
resume_refused() {  # resume_refused WANT FILE EDIT...: resume from FILE edited, data path broken
  local want=$1 src=$2; shift 2
  edit "$src" bad.ebm 'training.data="absent.npy"' "$@"
  expect_refusal "$want" "$ebm" train --resume bad.ebm --out bad-out.ebm
}
edit part.ebm same.ebm
# A version-1 checkpoint (written before model files held any kind; the fuzz corpus's seed) still resumes.
edit "$corpus/model_file/seed-checkpoint.ebm" v1.ebm "training.data=\"$corpus/npy/seed-binary-8x6.npy\""
"$ebm" train --resume v1.ebm --epochs 2 --out v1-resumed.ebm > /dev/null || fail "a version-1 checkpoint does not resume"
"$ebm" train --resume same.ebm --out same-out.ebm > /dev/null || fail "a rewritten but unchanged checkpoint does not resume"
# Item 2: 100,000-deep JSON metadata.
edit full.ebm deep.ebm deep=100000
expect_refusal "nested deeper than 64 levels" "$ebm" eval --model deep.ebm --data data.npy --exact
expect_refusal "nested deeper than 64 levels" "$ebm" export --model deep.ebm --npy deep
expect_refusal "nested deeper than 64 levels" "$ebm" sample --model deep.ebm --chains 4 --steps 5 --out d.npy
expect_refusal "nested deeper than 64 levels" "$ebm" filters --model deep.ebm --png d.png
edit part.ebm deep.ebm deep=100000
expect_refusal "nested deeper than 64 levels" "$ebm" train --resume deep.ebm --out deep-out.ebm
# Item 3: header values whose products overflow.
edit full.ebm big.ebm num_hidden=4611686018427387904
expect_refusal "num_visible x num_hidden: 64 x 4611686018427387904 overflows" "$ebm" eval --model big.ebm --exact
# nv = 4294967304, nh = 455475117508293156: nv·nh + nv + nh wraps to 844, the true parameter count of 64 x 12.
edit full.ebm wrap.ebm num_visible=4294967304 num_hidden=455475117508293156
expect_refusal "num_visible x num_hidden: 4294967304 x 455475117508293156 overflows" "$ebm" export --model wrap.ebm --npy w
resume_refused "chains.v shape: 9223372036854775807 x 64 overflows" part.ebm 'training_state.chains.v=[9223372036854775807,64]'
resume_refused "training_state.updates = 9223372036854775807 must be" part.ebm training_state.updates=9223372036854775807
# Item 4: epoch 2^31 (was cast to -2^31, and ~2^31 epochs trained).
resume_refused "training_state.epoch = 2147483648 must be an integer in \[0, 2147483647\]" part.ebm \
  training_state.epoch=2147483648
# Item 5: corrupt training state resumed with exit 0.
for e in -1 1099511627776 3.5 1e300; do
  resume_refused "training_state.epoch = .* must be an integer" part.ebm "training_state.epoch=$e"
done
resume_refused "the checkpoint has done 5 epochs, more than --epochs = 4" part.ebm training_state.epoch=5
resume_refused "training_state.updates = 41 is not a whole number of updates per epoch" part.ebm training_state.updates=41
resume_refused "chains.v: entry (0, 3) is nan" part.ebm float:chains.v:3=nan
resume_refused "chains.v: entry (0, 0) is inf" part.ebm float:chains.v:0=inf
resume_refused "chains.v: entry (1, 0) is 0.5" part.ebm float:chains.v:64=0.5
resume_refused "chains.h: entry (0, 1) is -1" part.ebm float:chains.h:1=-1
resume_refused "chains.ph: entry (0, 2) is nan" part.ebm float:chains.ph:2=nan
resume_refused "optimizer.velocity: entry (5, 0) is inf" part.ebm float:optimizer.velocity:5=inf
resume_refused "has 21 random streams; pcd with these options needs 20" part.ebm stream+
resume_refused "has 19 random streams; pcd with these options needs 20" part.ebm stream-
resume_refused "num_hidden = 8.5 must be an integer" part.ebm num_hidden=8.5
resume_refused "training.hidden = 13, but the model has 12 hidden units" part.ebm training.hidden=13
resume_refused "centering.hidden has 12 entries; a run without centering" part.ebm training.centering=false
resume_refused "holds 20 chain states; pt with these options needs 80" part.ebm 'training.sampler="pt"' \
  training.temperatures=4
resume_refused "pt_rounds = 7; 19 updates of k = 1 rounds make 19" pt-part.ebm pt_rounds=7
resume_refused "pt_rounds = (missing)" pt-part.ebm pt_rounds=-
resume_refused "has 99 random streams; pt with these options needs 100" pt-part.ebm stream-
resume_refused "pt_rounds in a checkpoint of sampler pcd" part.ebm pt_rounds=40
resume_refused "training_state.counters.pt.rounds = 19, but pt_rounds = 38" pt-part.ebm pt_rounds=38 \
  training_state.updates=38 training_state.epoch=2
# A PT checkpoint from before the generic codec (no pt.* counters) resumes; its chains continue bit for bit.
edit pt-part.ebm pt-legacy.ebm 'training_state.counters=-'
"$ebm" train --resume pt-legacy.ebm --out pt-legacy-resumed.ebm > /dev/null || fail "a PT checkpoint without pt.* counters does not resume"
"$ebm" export --model pt-legacy-resumed.ebm --npy pt-legacy > /dev/null
for f in W b c; do cmp -s "pt-full/$f.npy" "pt-legacy/$f.npy" || fail "resumed legacy PT $f.npy differs"; done
"$ebm" train "${common[@]}" --sampler cd --epochs 2 --stop-after 1 --out cd-part.ebm > /dev/null
"$ebm" train --resume cd-part.ebm --out cd-resumed.ebm > /dev/null || fail "a CD checkpoint does not resume"
resume_refused "has 19 random streams; cd with these options needs 20" cd-part.ebm stream-
# The update count against the data: the one check that needs it.
edit part.ebm bad.ebm training_state.updates=60
expect_refusal "training_state.updates = 60, but 2 epochs of 20 updates (400 examples, batch 20) make 40" \
  "$ebm" train --resume bad.ebm --out bad-out.ebm
# Item 7: every stored option with the wrong JSON type names the field (these were "internal error"s).
for kv in data=1 binarize=1 sampler=1 lr_schedule=1 'hidden="x"' 'k="x"' 'chains="x"' 'batch="x"' 'limit="x"' \
  'epochs="x"' 'lr="x"' 'lr_final="x"' 'momentum="x"' 'momentum_initial="x"' 'momentum_ramp="x"' \
  'weight_decay="x"' 'init_sigma="x"' 'seed="x"' seed=-1 'centering="x"' 'centering_rate="x"' \
  'temperatures="x"' 'beta_min="x"' k=2.5 epochs=1e300 lr=null; do
  resume_refused "training.${kv%%=*} = " part.ebm "training.$kv"
done
for k in data binarize sampler k chains batch epochs lr seed centering; do
  resume_refused "training.$k is missing" part.ebm "training.$k=-"
done
resume_refused "training = \"x\" must be a JSON object" part.ebm 'training="x"'
resume_refused "training_state = \[\] must be a JSON object" part.ebm 'training_state=[]'
resume_refused "pt_rounds = \"x\" must be an integer" pt-part.ebm 'pt_rounds="x"'
resume_refused "data_marginals = \"x\" must be an array of 64 numbers" part.ebm 'data_marginals="x"'
resume_refused "data_marginals\[0\] = 2 must be a probability" part.ebm 'data_marginals=[2'"$(printf ',0.5%.0s' {1..63})"']'
for kv in 'kind=1' 'num_visible="x"' 'num_hidden=null' 'scalar=[]' 'training_state.epoch="x"' \
  'training_state.updates={}' 'training_state.chains=true'; do
  resume_refused "${kv%%=*} = " part.ebm "$kv"
done
edit full.ebm bad.ebm training.binarize=1
expect_refusal "training.binarize = 1 must be a string" "$ebm" eval --model bad.ebm --data data.npy --exact
edit full.ebm bad.ebm 'data_marginals=[0.5]'
expect_refusal "data_marginals = \[0.5\] must be an array of 64 numbers" "$ebm" eval --model bad.ebm --data data.npy


# Faults. --out is checked before the data is loaded (the data below does not exist: the --out error comes first).
mkdir -p outdir
expect_error "--out 'outdir' is a directory" "$ebm" train --data missing.npy --out outdir
expect_error "the folder 'nodir' does not exist" "$ebm" train --data missing.npy --out nodir/m.ebm
# A read-only file system: a read-only tmpfs in a private mount namespace where that is allowed; as a non-root
# user a read-only folder does too (root ignores permission bits).
mkdir -p ro
if unshare -m bash -c 'mount -t tmpfs -o ro tmpfs ro' 2>/dev/null; then
  expect_error "cannot write --out 'ro/m.ebm'.*Read-only file system" unshare -m bash -c \
    'mount -t tmpfs -o ro tmpfs ro && exec "$@"' _ "$ebm" train --data missing.npy --out ro/m.ebm
elif [[ $EUID != 0 ]]; then
  chmod 555 ro
  expect_error "cannot write --out 'ro/m.ebm'.*Permission denied" "$ebm" train --data missing.npy --out ro/m.ebm
else
  echo "cli tests: no read-only file system available here; that case is not tested" >&2
fi

wait_for() {  # wait_for FILE PID: until FILE exists (the first checkpoint), failing if PID exits first
  local i
  for ((i = 0; i < 1200; ++i)); do
    [[ -e $1 ]] && return 0
    kill -0 "$2" 2>/dev/null || fail "the training run writing $1 exited early"
    sleep 0.1
  done
  fail "$1 did not appear within 120 s"
}
long=("${common[@]}" --epochs 1000000)

# SIGINT: the run dies of the signal, removes its lock and any half-written temporary file, and leaves the last
# complete checkpoint, which resumes. (A shell starts background jobs with SIGINT ignored: env restores it.)
env --default-signal=INT "$ebm" train "${long[@]}" --out int.ebm > /dev/null 2> int.err & pid=$!
wait_for int.ebm "$pid"
kill -INT "$pid"
status=0 && wait "$pid" || status=$?
[[ $status == 130 ]] || fail "train after SIGINT exited with $status, not 130 (killed by SIGINT)"
grep -q "interrupted; the last checkpoint written to 'int.ebm' is complete" int.err || fail "SIGINT: $(cat int.err)"
[[ ! -e int.ebm.lock ]] || fail "SIGINT left int.ebm.lock"
! compgen -G "int.ebm.tmp.*" > /dev/null || fail "SIGINT left a temporary file: $(echo int.ebm.tmp.*)"
"$ebm" train --resume int.ebm --stop-after 1 --out int-resumed.ebm > /dev/null || fail "the checkpoint left by SIGINT does not resume"

# A second process training into the same --out fails at once, naming the first; SIGTERM then ends the first
# as SIGINT does.
"$ebm" train "${long[@]}" --out shared.ebm > /dev/null 2> term.err & pid=$!
wait_for shared.ebm "$pid"
expect_error "--out 'shared.ebm' is being written by another process (pid $pid)" \
  "$ebm" train "${common[@]}" --epochs 1 --out shared.ebm
kill -0 "$pid" || fail "the first writer did not survive the second one's attempt"
kill -TERM "$pid"
status=0 && wait "$pid" || status=$?
[[ $status == 143 ]] || fail "train after SIGTERM exited with $status, not 143 (killed by SIGTERM)"
[[ ! -e shared.ebm.lock ]] || fail "SIGTERM left shared.ebm.lock"
"$ebm" export --model shared.ebm --npy shared > /dev/null || fail "the checkpoint left by SIGTERM does not load"

# SIGKILL cannot be caught: a kill during a checkpoint leaves <out>.tmp.<pid> (made here, the window is too
# narrow to hit) and the lock file. The next run locks the stale lock file and removes the temporary file of
# the dead process, but not one of a living process (this shell's).
"$ebm" train "${long[@]}" --out killed.ebm > /dev/null & pid=$!
wait_for killed.ebm "$pid"
kill -KILL "$pid"
wait "$pid" || true
head -c 100 killed.ebm > "killed.ebm.tmp.$pid"
head -c 100 killed.ebm > "killed.ebm.tmp.$$"
"$ebm" train --resume killed.ebm --stop-after 1 > /dev/null 2> killed.err || fail "resume after SIGKILL failed: $(cat killed.err)"
[[ ! -e "killed.ebm.tmp.$pid" ]] || fail "the temporary file of the killed process was not removed"
grep -q "killed.ebm.tmp.$pid" killed.err || fail "the removal of killed.ebm.tmp.$pid was not reported"
[[ -e "killed.ebm.tmp.$$" ]] || fail "the temporary file of a living process was removed"
[[ ! -e killed.ebm.lock ]] || fail "a finished run left killed.ebm.lock"
rm -f "killed.ebm.tmp.$$"
echo "cli tests: all passed"
