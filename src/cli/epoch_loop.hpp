#pragma once
// The epoch loop of `ebm train`, the same for every model: a fresh binarization per epoch, the progress bar,
// the checkpoint (written before the epoch is reported, so a reported epoch is always on disk), the JSON line or
// the text line, --stop-after. What differs between models comes in as hooks: the monitors of an epoch and the
// chain state of a checkpoint.
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/progress.hpp"
#include "cli/train_args.hpp"
#include "ebm/data/binarize.hpp"
#include "ebm/io/model_kind.hpp"
#include "ebm/train/trainer.hpp"

namespace ebm::cli {

// An epoch's monitors: JSON fields, the text after "epoch N  secs  lr  mom" and an optional second line.
struct EpochMonitor {
  nlohmann::json fields = nlohmann::json::object();
  std::string text, extra_line;
};

struct EpochHooks {
  std::function<void(Index done, Index total)> on_update;             // after every update (may be empty)
  std::function<EpochMonitor(const Matrixf& binarized)> monitor;       // after the epoch, on its binarization
  std::function<void(TrainingState& t, nlohmann::json& meta)> save;    // the model's chains, streams and state
  std::function<void()> after_report;                                  // e.g. reset per-epoch statistics
};

// Parallel tempering's per-epoch report: the swap rate of each neighbour pair and the round trips since the
// last reset (after every report), in the JSON fields and as a second text line.
template <class Tempering>
void add_swap_monitor(const Tempering& pt, EpochMonitor& m) {
  const std::vector<double> rates = pt.swap_rates();
  const long long trips = static_cast<long long>(pt.swap_stats().round_trips);
  m.fields["swap_rates"] = rates;
  m.fields["round_trips"] = trips;
  std::string line = "          swap rates";
  char buf[48];
  for (double x : rates) {
    std::snprintf(buf, sizeof buf, " %.2f", x);
    line += buf;
  }
  std::snprintf(buf, sizeof buf, "  round trips %lld", trips);
  m.extra_line = line + buf;
}

// What every checkpoint holds of the trainer: counters, optimizer state, shuffle stream; and its inverse.
template <class T>
void save_trainer(T& trainer, TrainingState& t) {
  t.epoch = trainer.epochs_done();
  t.updates = trainer.updates_done();
  t.optimizer = trainer.optimizer_state();
  t.streams["shuffle"] = {trainer.shuffle_stream()};
}
template <class T>
void restore_trainer(T& trainer, const TrainingState& t) {
  trainer.set_progress(int(t.epoch), t.updates);  // epoch in [0, INT_MAX]: checked by the reader
  trainer.restore_optimizer(t.optimizer);
  trainer.shuffle_stream() = t.streams.at("shuffle").front();
}

template <class T, class Model>
void run_epochs(const TrainArgs& a, T& trainer, const Model& model, const Matrixf& train,
                const nlohmann::json& base_meta, const EpochHooks& hooks) {
  const Binarize mode = parse_binarize(a.binarize);
  Matrixf bin(train.rows(), train.cols());
  ProgressBar bar;
  int run_epochs = 0;
  while (trainer.epochs_done() < a.epochs && (a.stop_after <= 0 || run_epochs++ < a.stop_after)) {
    const int epoch = trainer.epochs_done();
    binarize(train, mode, a.seed, std::uint64_t(epoch), bin);
    char label[32];
    std::snprintf(label, sizeof label, "epoch %d/%d", epoch + 1, a.epochs);
    bar.start(label, long(train.rows() / a.batch));
    const EpochReport rep = trainer.train_epoch(bin, [&](Index done, Index total) {
      if (hooks.on_update) hooks.on_update(done, total);
      bar.update(long(done));
    });
    bar.finish();
    const EpochMonitor mon = hooks.monitor(bin);
    nlohmann::json meta = base_meta;
    meta["training"] = options_json(a);
    TrainingState t;
    save_trainer(trainer, t);
    hooks.save(t, meta);
    save_model_file(a.out, file_of(model, meta.dump(), std::move(t)));
    if (a.json) {
      nlohmann::json line = {{"event", "epoch"},         {"epoch", rep.epoch},
                             {"updates", rep.updates},   {"seconds", rep.seconds},
                             {"learning_rate", rep.learning_rate}, {"momentum", rep.momentum},
                             {"binarize", a.binarize},   {"checkpoint", a.out}};
      line.update(mon.fields);
      std::printf("%s\n", line.dump().c_str());
    } else {
      std::printf("epoch %3d  %6.2fs  lr %.4f  mom %.2f%s\n", rep.epoch, rep.seconds, rep.learning_rate, rep.momentum,
                  mon.text.c_str());
      if (!mon.extra_line.empty()) std::printf("%s\n", mon.extra_line.c_str());
    }
    if (hooks.after_report) hooks.after_report();
    std::fflush(stdout);
  }
}

}  // namespace ebm::cli
