#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "command.hpp"
#include "table_options.hpp"
#include "vidseg/core/cancel.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/models/feature_files.hpp"
#include "vidseg/models/torch_backend.hpp"
#include "vidseg/models/train_options.hpp"
#include "vidseg/models/trained_model.hpp"
#include "vidseg/models/training_set.hpp"
#include "vidseg/models/transcript_features.hpp"
#include "vidseg/models/utterance_model.hpp"
#include "vidseg/text/utterance_table.hpp"

namespace vidseg::cli {

namespace {

std::string fixed(double v, int digits = 3) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

// A table of transcribed utterances: the utterance-level text model (models/utterance_model.hpp).
int run_train_on_table(const ParsedOptions& options, Context& context) {
    if (options.given("features"))
        throw Error(ErrorCode::InvalidArgument,
                    "--features goes with a dataset folder; a table of utterances trains on its text alone");
    const auto lessons = text::read_utterance_table(options.str("data"), table_columns(options));
    models::UtteranceTrainOptions config;
    if (options.str("solver") == "sgd") {
        config.logistic.solver = text::LogisticSolver::Sgd;
        config.logistic.sgd.epochs = options.given("epochs") ? int(options.integer("epochs")) : 10;
    } else if (options.given("epochs")) {
        config.logistic.dual.max_epochs = int(options.integer("epochs"));
    }
    config.val_fraction = options.number("val-fraction");
    config.seed = std::uint64_t(options.integer("seed"));
    config.context = options.str("context") != "none";
    config.neighbours = options.str("context") == "all";
    config.lexical.sublinear_tf = options.flag("sublinear-tf");
    config.tune_thresholds = options.str("thresholds") == "tuned";
    config.chain = options.str("arch") == "crf";
    if (!config.chain && options.given("arch") && options.str("arch") != "linear")
        throw Error(ErrorCode::InvalidArgument, "--data TABLE trains the utterance text model: --arch linear (the "
                    "logistic regression) or crf (with a chain CRF over the utterances), not " + options.str("arch"));
    config.folds = int(options.integer("folds"));
    for (const auto& c : models::split_comma_list({options.str("c")})) {
        char* end = nullptr;
        const double v = std::strtod(c.c_str(), &end);
        if (end == c.c_str() || *end != '\0' || !(v > 0) || !std::isfinite(v))
            throw Error(ErrorCode::InvalidArgument, "--c takes positive numbers separated by commas", c);
        config.c_grid.push_back(v);
    }
    if (config.c_grid.empty()) throw Error(ErrorCode::InvalidArgument, "--c takes positive numbers separated by commas");
    config.logistic.c = config.c_grid.front();
    std::size_t utterances = 0;
    for (const auto& l : lessons) utterances += l.utterances.size();
    context.info("training the utterance text model (word + character n-grams, TF-IDF, sparse logistic "
                 "regression) on " + std::to_string(utterances) + " utterances of " + std::to_string(lessons.size()) +
                 " lessons");
    throw_if_cancelled();
    const auto model = models::UtteranceModel::train(lessons, config);
    model.save(options.str("out"));
    const nlohmann::json doc = {{"model", options.str("out")},
                                {"arch", model.arch()},
                                {"task", "patterns"},
                                {"data", options.str("data")},
                                {"labels", model.labels()},
                                {"lessons", lessons.size()},
                                {"utterances", utterances},
                                {"training", model.training()}};
    if (context.json) {
        context.print_json(doc);
        return 0;
    }
    std::printf("Model written to %s (utterance text model, %zu labels, %zu utterances of %zu lessons, %s s)\n",
                options.str("out").c_str(), model.labels().size(), utterances, lessons.size(),
                fixed(model.training().value("seconds", 0.0), 2).c_str());
    for (const auto& t : model.training()["thresholds"])
        std::printf("  %s: threshold %s (validation F1 %s)%s\n", t["label"].get<std::string>().c_str(),
                    fixed(t["threshold"].get<double>(), 2).c_str(), fixed(t["val_f1"].get<double>()).c_str(),
                    t["tuned"].get<bool>() || !model.training().value("thresholds_tuned", true)
                        ? ""
                        : " (no positive validation utterance: default)");
    return 0;
}

int run_train(const ParsedOptions& options, Context& context) {
    if (!options.given("data")) throw Error(ErrorCode::InvalidArgument, "--data DATASET_OR_LABELS is required");
    if (!options.given("out")) throw Error(ErrorCode::InvalidArgument, "--out MODEL is required");

    if (models::parse_task(options.str("task")) == models::Task::Patterns && text::is_utterance_table(options.str("data")) &&
        !std::filesystem::is_directory(options.str("data")))
        return run_train_on_table(options, context);
    auto config = models::train_config(options);

    std::string split_note;
    const std::string data = models::dataset_split(options.str("data"), options.str("split"), &split_note).string();
    if (!split_note.empty()) context.note(split_note);
    const auto labels = models::read_interval_labels(data, config.task);
    std::vector<features::FeatureMatrix> feature_matrices;
    if (options.given("features")) {
        std::vector<models::SkippedFile> skipped;  // e.g. the labels .json beside the features
        feature_matrices = models::read_feature_files(options.all("features"), &skipped);
        for (const auto& s : skipped) context.info("note: skipped " + s.path + ": " + s.reason);
    } else {
        if (config.task != models::Task::Patterns)
            throw Error(ErrorCode::InvalidArgument, "--features FILE_OR_DIR is required for --task intro");
        // Text only: the dataset's fragment transcripts become text columns per lesson.
        auto text = models::transcript_features_from_dataset(data);
        context.info("no --features: text-only training on the transcripts of " + std::to_string(text.with_transcript) +
                     " of " + std::to_string(text.fragments) + " fragments (" + std::to_string(text.matrices.size()) +
                     " lessons; columns tokens, words_per_second, speech_coverage per 1 s)");
        feature_matrices = std::move(text.matrices);
    }
    auto set = models::make_training_set(std::move(feature_matrices), labels, config.task);
    if (!context.quiet)
        for (const auto& s : set.missing_features)
            std::fprintf(stderr, "warning: no features for labelled video '%s' (skipped)\n", s.c_str());
    if (!context.quiet)
        for (const auto& s : set.unlabeled_features)
            std::fprintf(stderr, "warning: no labels for features of '%s' (skipped)\n", s.c_str());
    const std::size_t rows = models::training_rows(set);
    models::check_training_folds(set, config);
    context.info("training " + std::string(models::architecture_name(config.arch)) + " on " +
                 std::to_string(set.sequences.size()) + " videos, " + std::to_string(rows) + " rows, " +
                 std::to_string(set.labels.size()) + " labels");

    context.progress->begin("train", double(config.epochs));
    const auto on_epoch = [&](const models::EpochReport& e) {
        throw_if_cancelled();
        if (e.fold < 0) context.progress->update(double(e.epoch));
    };
    auto model = models::TrainedModel::train(set, config, models::split_comma_list(options.all("columns")), on_epoch);
    context.progress->end();
    model.save(options.str("out"));

    const auto& info = model.info();
    const auto doc = models::trained_model_json(model, options.str("out"), data, set);
    if (context.json) {
        context.print_json(doc);
        return 0;
    }
    const auto& t = info.training;
    std::printf("Model written to %s (%s, %s, %zu labels, %zu feature columns)\n", options.str("out").c_str(),
                models::architecture_name(info.arch), models::task_name(info.task), info.labels.size(),
                info.spec.columns.size());
    std::printf("  epochs run %d (best %d), train loss %s", t.value("epochs_run", 0), t.value("best_epoch", 0),
                fixed(t.value("train_loss", 0.0)).c_str());
    if (t.contains("val_loss"))
        std::printf(", validation loss %s, validation micro-F1 %s", fixed(t["val_loss"].get<double>()).c_str(),
                    fixed(t["val_micro_f1"].get<double>()).c_str());
    std::printf(", %s s\n", fixed(t.value("seconds", 0.0), 2).c_str());
    if (t.contains("thresholds")) {
        std::printf("  thresholds tuned on the validation rows (best F1):");
        for (const auto& th : t["thresholds"])
            std::printf(" %s %s%s", th["label"].get<std::string>().c_str(), fixed(th["threshold"].get<double>(), 2).c_str(),
                        th["tuned"].get<bool>() ? "" : " (no positive validation row: default)");
        std::printf("\n");
    }
    if (t.contains("cv_micro_f1"))
        std::printf("  %d-fold cross-validation: mean micro-F1 %s\n", config.folds,
                    fixed(t["cv_micro_f1"].get<double>()).c_str());
    return 0;
}

}  // namespace

Command train_command() {
    return {models::train_command_spec(), run_train};
}

}  // namespace vidseg::cli
