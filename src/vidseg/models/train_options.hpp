// The options of `vidseg train`, for every front end: the CLI command and a `train` job of `vidseg serve`
// ({"kind": "train", "inputs": {"dataset": <dataset build job id>}, "options": {"epochs": 10}}) are
// checked by this one table and turned into the networks' TrainOptions by this one function; the
// training set of a dataset folder is checked and reported by the same functions in both.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/core/options.hpp"
#include "vidseg/models/model_config.hpp"
#include "vidseg/models/trained_model.hpp"
#include "vidseg/models/training_set.hpp"

namespace vidseg::models {

CommandSpec train_command_spec();  // --data, --features, --arch, --epochs, ...; no --lang (the CLI adds it)

// The networks' options (task, arch, epochs, lr, seed, folds, ...). --arch crf (the utterance model's
// chain CRF) is InvalidArgument here: it trains on a table of utterances, not through this.
TrainOptions train_config(const ParsedOptions& options);

// Values of repeatable options given as comma-separated lists ("mfcc,contrast"), empty parts dropped.
std::vector<std::string> split_comma_list(const std::vector<std::string>& values);

// Rows of every sequence of the set.
std::size_t training_rows(const TrainingSet& set);
// --folds K needs at least K training chunks: InvalidArgument saying what the data can be split into.
void check_training_folds(const TrainingSet& set, const TrainOptions& config);

// The `--json` document of `vidseg train` for a network (also a train job's train.json).
nlohmann::json trained_model_json(const TrainedModel& model, const std::string& model_path, const std::string& data,
                                  const TrainingSet& set);

}  // namespace vidseg::models
