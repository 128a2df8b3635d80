// Labelled timelines for training: intervals per source read from a dataset folder (`vidseg dataset
// build` output: metadata.jsonl rows with source_video, start, end, patterns) or an intro labels
// file (SPEC §2 forms), matched to FeatureMatrix files by source name and turned into per-row
// multi-hot targets. A row carries a label when the middle of its window lies in a labelled
// interval.
//
// Bad input is a typed error: an empty dataset (no rows / no features), features of different
// specs, NaN or infinite feature values, labels outside the video, nothing matching, and a single
// class (every row has the same target) are Error(InvalidData) naming the file and the problem.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "vidseg/features/feature_matrix.hpp"
#include "vidseg/models/model_config.hpp"
#include "vidseg/timeline/interval.hpp"

namespace vidseg::models {

struct LabeledInterval {
    std::string source;  // the video as named by the labels (file name or id)
    timeline::Interval span;
    std::vector<std::string> labels;
};

struct IntervalLabels {
    std::vector<std::string> sources;  // every labelled source, also those without any interval (no intro)
    std::vector<LabeledInterval> intervals;
};

// Task::Patterns: a dataset folder (every metadata.jsonl in it and in its split folders) or one
// metadata.jsonl file. Task::Intro: an intro labels file (intro/intro_labels.hpp forms), or a
// dataset whose pattern is "intro". Throws InputNotFound / InvalidData.
IntervalLabels read_interval_labels(const std::filesystem::path& path, Task task);

// Which part of a dataset folder to train on. `vidseg dataset build --test-fraction` writes train/ and
// test/ folders; training on both would leak the test split. split: "auto" (train/ when the folder has
// both train/ and test/, else the whole of `data`), "train" / "test" (that folder; InvalidArgument when
// missing), "all" (everything). *note (if given) says what was chosen when it is not the whole folder.
std::filesystem::path dataset_split(const std::filesystem::path& data, const std::string& split,
                                    std::string* note = nullptr);

// The name used to match sources across labels and features: file name without directories,
// extension and a ".features" / "_features" suffix ("lessons/a.mp4" and "feat/a.features.csv" -> "a").
std::string source_key(const std::string& name);

struct LabeledSequence {
    features::FeatureMatrix features;
    std::vector<std::uint8_t> targets;  // rows * labels
};

struct TrainingSet {
    std::vector<std::string> labels;    // sorted pattern names, or {"intro"}
    std::vector<LabeledSequence> sequences;
    std::vector<std::string> unlabeled_features;  // feature sources without labels (skipped)
    std::vector<std::string> missing_features;    // labelled sources without features (skipped)
};

// Throws Error(InvalidData) for the bad inputs listed above.
TrainingSet make_training_set(std::vector<features::FeatureMatrix> features, const IntervalLabels& labels, Task task);

// Per-row multi-hot targets of one matrix; throws InvalidData when an interval lies outside it.
std::vector<std::uint8_t> row_targets(const features::FeatureMatrix& matrix, const std::vector<LabeledInterval>& intervals,
                                      const std::vector<std::string>& labels);

// How many training chunks the networks cut the set into for `chunk_rows` rows per chunk: every
// sequence gives ceil(rows / len) chunks, len = min(chunk_rows, the shortest sequence's rows) (the
// rule of models/torch/torch_module.cpp). k-fold cross-validation needs at least k of them; the CLI
// checks --folds against it before training.
std::size_t count_training_chunks(const TrainingSet& set, int chunk_rows);
std::size_t training_chunk_rows(const TrainingSet& set, int chunk_rows);

// Throws InvalidData naming the first NaN / infinite value (source, time, column).
void check_finite(const features::FeatureMatrix& matrix);

}  // namespace vidseg::models
