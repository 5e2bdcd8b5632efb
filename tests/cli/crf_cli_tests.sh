#!/usr/bin/env bash
# End-to-end tests of `ebm crf` on synthetic 8 x 8 "digits" in MNIST-named IDX files: segmentation of 16 x 16
# composites and binary denoising (scores, pictures, the pairwise kinds, cnn unaries), model selection on the
# validation images, PT-PCD and piecewise -> likelihood fine-tuning, and one-line errors.
# usage: crf_cli_tests.sh EBM MAKE_DATA WORKDIR
set -euo pipefail
ebm=$1 make_data=$2 dir=$3
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
fail() { echo "FAILED: $*" >&2; exit 1; }
mkdir -p mnist && "$make_data" --mnist mnist 300 60

# Grid CRF on synthetic 8 x 8 "digits" in MNIST-named IDX files: segmentation of 16 x 16 composites and binary
# denoising print the scores of the unaries alone and of the CRF, and a picture.
crf=(--data-dir mnist --train 40 --test 10 --unary-epochs 2 --epochs 1 --batch 10 --hidden 8 --sweeps 5 --burn-in 2)
"$ebm" crf --task segment "${crf[@]}" --canvas 16 --pool 2 --pooled-radius 2 --png-dir crfpng --json > crf_seg.json
"$ebm" crf --task denoise "${crf[@]}" --unary linear --predict map --png-dir crfpng --json > crf_den.json
python3 - crf_seg.json crf_den.json <<'PY' || fail "ebm crf --json lacks the scores"
import json, sys
for path in sys.argv[1:3]:
    j = json.load(open(path))
    for model in ("unaries", "crf"):
        for k in ("accuracy", "mean_iou", "error"):
            assert 0 <= j[model][k] <= 1, (path, model, k)
assert "input_error" in json.load(open(sys.argv[2]))
PY
for p in crfpng/crf-segment.png crfpng/crf-denoise.png; do
  [[ $(head -c 4 "$p" | od -An -c | tr -d ' ') == '211PNG' ]] || fail "$p is not a PNG"
done
"$ebm" crf --task segment "${crf[@]}" --canvas 16 --pool 2 --sampler cd --pairwise full > crf.txt
grep -q "mean IoU" crf.txt || fail "ebm crf does not print the mean IoU"
# Input-dependent pairwise terms, scored by max marginal and mean field in one run.
"$ebm" crf --task segment "${crf[@]}" --canvas 16 --pool 2 --pooled-radius 2 --pairwise contrast --edge-hidden 3 \
  --predict mpm,mf --json > crf_contrast.json
python3 - crf_contrast.json <<'PY' || fail "ebm crf --pairwise contrast --predict mpm,mf --json lacks a method's scores"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["pairwise"] == "contrast" and j["crf"] == j["crf_by_predict"]["mpm"], j
assert 0 <= j["crf_by_predict"]["mf"]["mean_iou"] <= 1, j
assert j["mean_coupling"]["background"] > 0 and j["mean_coupling"]["foreground_background"] > 0, j
PY
# Convolutional unaries alone (--epochs 0): scores of the unaries, no CRF.
"$ebm" crf --task segment --data-dir mnist --train 40 --test 10 --unary-epochs 2 --epochs 0 --batch 10 --canvas 16 \
  --unary cnn --conv-channels 4,4 --dilations 1,2 --json > crf_cnn.json
python3 - crf_cnn.json <<'PY' || fail "ebm crf --unary cnn --epochs 0 --json lacks the unaries' scores or has a CRF"
import json, sys
j = json.load(open(sys.argv[1]))
assert 0 <= j["unaries"]["mean_iou"] <= 1 and "crf" not in j and j["receptive_field"] == 7, j
PY
# The unaries' levers: cosine schedule, down-weighted background, a held-out score after every epoch.
"$ebm" crf --task segment --data-dir mnist --train 40 --test 10 --unary-epochs 2 --epochs 0 --batch 10 --canvas 16 \
  --unary cnn --conv-channels 4,4 --dilations 1,2 --unary-lr-schedule cosine --unary-lr-final 0.1 \
  --background-weight 0.3 --unary-eval --json > crf_cnn_levers.json
python3 - crf_cnn_levers.json <<'PY' || fail "ebm crf --unary-eval --json lacks the per-epoch curve or the levers"
import json, sys
j = json.load(open(sys.argv[1]))
assert [c["epoch"] for c in j["unary_curve"]] == [1, 2], j
assert j["unary_lr_schedule"] == "cosine" and j["background_weight"] == 0.3, j
# The curve is on the validation images now; the selected epoch is the curve's best.
assert max(c["mean_iou"] for c in j["unary_curve"]) == j["val_unaries"]["selected"]["mean_iou"], j
PY

# Model selection: the unaries and the CRF are scored on validation composites after every epoch (the CRF also
# every 2 updates and at its start); each keeps the θ of the best validation mean IoU, and the test scores are
# that θ's. One and two threads give the same curves, selections and scores.
sel=(--task segment --data-dir mnist --train 40 --test 10 --val 12 --val-every 2 --unary-epochs 3 --epochs 2 --crf-batch 10
     --batch 10 --hidden 8 --sweeps 5 --burn-in 2 --canvas 16 --pool 2 --pooled-radius 2 --predict mpm,mf --json)
"$ebm" crf "${sel[@]}" --threads 1 > crf_val1.json
"$ebm" crf "${sel[@]}" --threads 2 > crf_val2.json
python3 - crf_val1.json crf_val2.json <<'PY' || fail "ebm crf --val: curves, selection or thread independence wrong"
import json, sys
j, j2 = (json.load(open(p)) for p in sys.argv[1:3])
u, c = j["val_unaries"], j["val_crf"]
assert [p["epoch"] for p in u["curve"]] == [1, 2, 3] and len(j["unary_train_nll"]) == 3, u
assert u["selected"]["mean_iou"] == max(p["mean_iou"] for p in u["curve"]), u
# 4 updates an epoch: the start, updates 2 and 4 (epoch 1), 6 and 8 (epoch 2).
assert [p["updates"] for p in c["curve"]] == [0, 2, 4, 6, 8], c
assert [p["stage"] for p in c["curve"]] == ["start"] + ["pcd"] * 4, c
assert c["curve"][1]["epoch"] == 0.5 and c["curve"][2]["epoch"] == 1, c
best = max(p["mean_iou"] for p in c["curve"])
assert c["selected"]["mean_iou"] == best, c
first_best = next(p for p in c["curve"] if p["mean_iou"] == best)  # ties keep the earlier θ
assert c["selected"]["updates"] == first_best["updates"], c
assert ("crf_last" in j) == (c["selected"]["updates"] != 8), j
assert j["val"] == 12 and j["val_predict"] == "mf" and j["train_cpu_seconds"]["crf"] >= 0, j
for k in ("val_unaries", "val_crf", "unaries", "crf", "crf_by_predict"):
    strip = lambda d: {m: {f: v for f, v in s.items() if f != "predict_seconds"} for m, s in d.items()} \
        if k == "crf_by_predict" else {f: v for f, v in d.items() if f != "predict_seconds"}
    assert strip(j[k]) == strip(j2[k]), (k, j[k], j2[k])
PY
# --val 0: no selection, no curves, the last θ.
"$ebm" crf --task denoise --data-dir mnist --train 40 --test 10 --val 0 --unary-epochs 1 --epochs 1 --batch 10 \
  --unary linear --sweeps 5 --burn-in 2 --json > crf_noval.json
python3 - crf_noval.json <<'PY' || fail "ebm crf --val 0 reports a selection"
import json, sys
j = json.load(open(sys.argv[1]))
assert "val_crf" not in j and "val_unaries" not in j and "crf_last" not in j and j["val"] == 0, j
PY

# PT-PCD (--sampler pt: 3 temperatures, swap rates reported) and piecewise -> likelihood fine-tuning (the curve
# runs through both stages, the updates counted across them).
"$ebm" crf --task denoise --data-dir mnist --train 40 --test 10 --val 10 --unary-epochs 1 --epochs 2 --batch 10 \
  --crf-batch 10 --unary linear --sweeps 5 --burn-in 2 --sampler pt --temperatures 3 --beta-min 0.5 --json > crf_pt.json
"$ebm" crf --task denoise --data-dir mnist --train 40 --test 10 --val 10 --unary-epochs 1 --epochs 1 --batch 10 \
  --crf-batch 10 --unary linear --sweeps 5 --burn-in 2 --crf-objective piecewise+likelihood --pretrain-epochs 2 --json > crf_ft.json
python3 - crf_pt.json crf_ft.json <<'PY' || fail "ebm crf --sampler pt or piecewise+likelihood wrong"
import json, sys
pt, ft = (json.load(open(p)) for p in sys.argv[1:3])
assert len(pt["swap_rates"]) == 2 and all(0 <= r <= 1 for r in pt["swap_rates"]), pt
assert [p["stage"] for p in pt["val_crf"]["curve"]] == ["start", "pt-pcd", "pt-pcd"], pt
assert [(p["stage"], p["updates"], p["epoch"]) for p in ft["val_crf"]["curve"]] == \
    [("start", 0, 0), ("piecewise", 4, 1), ("piecewise", 8, 2), ("pcd", 12, 3)], ft
assert 0 <= ft["crf"]["error"] <= 1, ft
PY

# --save-unaries then --load-unaries: the second run skips unary training and scores the same unaries.
den=(--task denoise --data-dir mnist --train 40 --test 10 --unary-epochs 2 --batch 10 --sweeps 5 --burn-in 2 --unary linear)
"$ebm" crf "${den[@]}" --epochs 0 --save-unaries unaries.npy --json > crf_save.json
"$ebm" crf "${den[@]}" --epochs 1 --load-unaries unaries.npy --json > crf_load.json
python3 - crf_save.json crf_load.json <<'PY' || fail "ebm crf --load-unaries does not give the saved unaries"
import json, sys
s, l = (json.load(open(p)) for p in sys.argv[1:3])
assert s["unaries"]["error"] == l["unaries"]["error"] and "val_unaries" not in l and "crf" in l, (s, l)
PY

# Errors: one line on stderr, non-zero status, never a crash.
expect_error() {
  local want=$1; shift
  if "$@" 2> err.txt > /dev/null; then fail "'$*' succeeded"; fi
  [[ $(wc -l < err.txt) == 1 ]] || fail "'$*' printed $(wc -l < err.txt) lines on stderr"
  grep -q -- "$want" err.txt || fail "'$*' error lacks '$want': $(cat err.txt)"
}
expect_error "--task: cluster" "$ebm" crf --task cluster
expect_error "--k: Value 0" "$ebm" crf --k 0
expect_error "--unary: rnn" "$ebm" crf --unary rnn
expect_error "prediction method 'bp' is unknown" "$ebm" crf --predict mpm,bp
expect_error "--pairwise: dense" "$ebm" crf --pairwise dense
expect_error "--conv-channels has 2 layers but --dilations has 1" "$ebm" crf --data-dir mnist --train 40 --batch 10 --unary cnn --conv-channels 4,4 --dilations 1
expect_error "--batch = 100 exceeds" "$ebm" crf --data-dir mnist --train 40 --batch 100
expect_error "cannot open" "$ebm" crf --data-dir missing --train 40 --batch 10
expect_error "canvas = 4" "$ebm" crf "${crf[@]}" --canvas 4
expect_error "--train = 1000" "$ebm" crf --task denoise --data-dir mnist --train 1000

expect_error "--unary-eval scores the validation images, but --val is 0" "$ebm" crf "${crf[@]}" --val 0 --unary-eval
expect_error "--val-every = 5 needs validation images" "$ebm" crf "${crf[@]}" --val 0 --val-every 5
expect_error "--sampler: mh" "$ebm" crf --sampler mh
expect_error "--val = 100 but mnist has 300 training digits" "$ebm" crf --task denoise --data-dir mnist --train 250 --val 100
expect_error "parameters; these unaries (mlp" "$ebm" crf --task denoise "${crf[@]}" \
  --load-unaries unaries.npy
echo "crf CLI tests passed"
