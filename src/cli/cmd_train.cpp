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
#include "vidseg/models/trained_model.hpp"
#include "vidseg/models/training_set.hpp"
#include "vidseg/models/transcript_features.hpp"
#include "vidseg/models/utterance_model.hpp"
#include "vidseg/text/utterance_table.hpp"

namespace vidseg::cli {

namespace {

std::vector<std::string> split_commas(const std::vector<std::string>& values) {
    std::vector<std::string> out;
    for (const auto& v : values) {
        std::stringstream s(v);
        std::string part;
        while (std::getline(s, part, ','))
            if (!part.empty()) out.push_back(part);
    }
    return out;
}

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
    for (const auto& c : split_commas({options.str("c")})) {
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

    models::TrainOptions config;
    config.task = models::parse_task(options.str("task"));
    if (config.task == models::Task::Patterns && text::is_utterance_table(options.str("data")) &&
        !std::filesystem::is_directory(options.str("data")))
        return run_train_on_table(options, context);
    if (options.str("arch") == "crf")
        throw Error(ErrorCode::InvalidArgument, "--arch crf is the sequence model over utterances: it trains on "
                    "--data TABLE (a table of transcribed utterances)");
    config.arch = models::parse_architecture(options.str("arch"));
    config.epochs = int(options.integer("epochs"));
    config.lr = options.given("lr") ? options.number("lr") : (config.arch == models::Architecture::Linear ? 0.05 : 0.01);
    config.seed = std::uint64_t(options.integer("seed"));
    config.folds = int(options.integer("folds"));
    config.val_fraction = options.number("val-fraction");
    config.patience = int(options.integer("patience"));
    config.threads = int(options.integer("threads"));
    config.hyper.hidden = int(options.integer("hidden"));
    config.hyper.chunk = int(options.integer("chunk"));
    config.hyper.layers = int(options.integer("layers"));

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
    std::size_t rows = 0;
    for (const auto& s : set.sequences) rows += s.features.rows();
    if (config.folds >= 2) {
        const std::size_t chunks = models::count_training_chunks(set, config.hyper.chunk);
        if (chunks < std::size_t(config.folds))
            throw Error(ErrorCode::InvalidArgument,
                        "--folds " + std::to_string(config.folds) + " is more than the data can be split into: " +
                            std::to_string(set.sequences.size()) + " video(s), " + std::to_string(rows) + " rows = " +
                            std::to_string(chunks) + " chunk(s) of " +
                            std::to_string(models::training_chunk_rows(set, config.hyper.chunk)) +
                            " rows; use --folds " + (chunks >= 2 ? "2.." + std::to_string(chunks) : std::string("0")) +
                            " or a smaller --chunk");
    }
    context.info("training " + std::string(models::architecture_name(config.arch)) + " on " +
                 std::to_string(set.sequences.size()) + " videos, " + std::to_string(rows) + " rows, " +
                 std::to_string(set.labels.size()) + " labels");

    context.progress->begin("train", double(config.epochs));
    const auto on_epoch = [&](const models::EpochReport& e) {
        throw_if_cancelled();
        if (e.fold < 0) context.progress->update(double(e.epoch));
    };
    auto model = models::TrainedModel::train(set, config, split_commas(options.all("columns")), on_epoch);
    context.progress->end();
    model.save(options.str("out"));

    const auto& info = model.info();
    nlohmann::json doc = {{"model", options.str("out")},
                          {"data", data},
                          {"arch", models::architecture_name(info.arch)},
                          {"task", models::task_name(info.task)},
                          {"labels", info.labels},
                          {"columns", info.spec.columns.size()},
                          {"chroma_tuning", info.chroma.estimated ? nlohmann::json("auto") : nlohmann::json(info.chroma.fixed)},
                          {"videos", set.sequences.size()},
                          {"rows", rows},
                          {"training", info.training}};
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
    CommandSpec spec{
        .name = "train",
        .summary = "Train a pattern or intro detector (libtorch) on features and labelled intervals.",
        .description =
            "Reads labelled intervals (a `vidseg dataset build` folder / metadata.jsonl for patterns, an intro\n"
            "labels file for intros), matches them by file name to feature files written by `vidseg features`\n"
            "(lesson1.mp4 <-> lesson1.features.csv), and trains a per-row multi-label model. Features are\n"
            "standardised, positive rows are weighted by the class imbalance, training stops early when the\n"
            "validation loss stops improving, and runs are reproducible for a --seed. The model file carries\n"
            "its feature spec and label set; predicting on other features is an error. The spec includes how\n"
            "chroma was computed (`vidseg features --chroma-tuning`: auto or a fixed value; the training\n"
            "feature files must agree) when the model reads chroma columns; predict on a video uses the same.\n"
            "Without --features (task patterns), the dataset's transcripts are the features: text-only\n"
            "training for datasets whose fragments have transcripts but no media (tokens, words per second and\n"
            "speech coverage per 1 s row; `vidseg features VIDEO --transcript T --no-audio --no-visual` gives\n"
            "the same columns to predict on).\n"
            "A dataset folder with train/ and test/ folders (`dataset build --test-fraction`) trains on train/\n"
            "only (--split all for both). Patterns models store a threshold per pattern: of the cuts whose F1 on\n"
            "the validation rows is within one standard error of the best, the one nearest 0.5 (not\n"
            "transformer-crf); `predict --threshold` overrides it.\n"
            "--data TABLE (.csv, .tsv, .xlsx: one utterance per row with lesson, start/end or order, speaker,\n"
            "text and labels columns, named by the --*-column options) trains the utterance-level text model:\n"
            "hashed word and character n-grams with TF-IDF (--context all|speaker: the neighbouring utterances\n"
            "and / or the speaker role too), a sparse logistic regression with balanced class weights solved to its optimum (dual\n"
            "coordinate descent, the objective of scikit-learn's liblinear LogisticRegression; --epochs caps\n"
            "its passes, default 200; --solver sgd: plain SGD, 10 epochs), scores calibrated (Platt) on\n"
            "held-out lessons (--val-fraction), each pattern's threshold the balanced boundary (margin 0; or\n"
            "tuned there: --thresholds tuned), then the weights refitted on every lesson; with --folds K instead\n"
            "by K-fold cross-validation over whole lessons (calibration, thresholds and, given several --c\n"
            "values, C), then one fit on every lesson.\n"
            "`vidseg predict` runs it on videos with transcripts, on transcripts and on tables.\n"
            "--folds K needs at least K training chunks (--chunk rows each); more is a usage error (exit 2).",
        .positionals = {},
        .options =
            {
                {.name = "task", .type = OptionType::Choice, .default_value = "patterns",
                 .help = "What the labels mark.", .choices = {"patterns", "intro"}},
                {.name = "data", .type = OptionType::Path, .help = "Dataset folder, metadata.jsonl or intro labels file.",
                 .metavar = "DATASET_OR_LABELS"},
                {.name = "split", .type = OptionType::Choice, .default_value = "auto",
                 .help = "Part of a dataset folder to train on: auto = train/ when it has train/ and test/\n"
                         "(what `dataset build --test-fraction` writes), else all of it.",
                 .choices = {"auto", "train", "test", "all"}},
                {.name = "features", .type = OptionType::Path,
                 .help = "Feature files (.csv/.jsonl) or folders of them, one per video (repeatable; none = "
                         "text-only from the dataset's transcripts).",
                 .metavar = "FILE_OR_DIR", .repeatable = true},
                {.name = "arch", .type = OptionType::Choice, .default_value = "linear",
                 .help = "Network architecture (with --data TABLE: linear, or crf = the logistic regression's\n"
                         "margins through a chain CRF over each lesson's utterances).",
                 .choices = [] {
                     auto names = models::architecture_names();
                     names.push_back("crf");
                     return names;
                 }()},
                {.name = "out", .short_name = 'o', .type = OptionType::Path, .help = "Model file to write.",
                 .metavar = "MODEL"},
                {.name = "epochs", .type = OptionType::Int, .default_value = "40", .help = "Most epochs.", .min = 1,
                 .max = 100000},
                {.name = "lr", .type = OptionType::Double, .help = "Adam learning rate (0.05 linear, else 0.01).",
                 .min = 1e-7, .max = 10},
                {.name = "seed", .type = OptionType::Int, .default_value = "1", .help = "Random seed (same seed, same model).",
                 .min = 0},
                {.name = "folds", .type = OptionType::Int, .default_value = "0",
                 .help = "k-fold cross-validation before the final fit (0 = none).", .min = 0, .max = 50},
                {.name = "val-fraction", .type = OptionType::Double, .default_value = "0.2",
                 .help = "Share of chunks held out for early stopping.", .min = 0, .max = 0.9},
                {.name = "patience", .type = OptionType::Int, .default_value = "5",
                 .help = "Epochs without a better validation loss before stopping.", .min = 1},
                {.name = "hidden", .type = OptionType::Int, .default_value = "32", .help = "Hidden width.", .min = 2,
                 .max = 4096},
                {.name = "layers", .type = OptionType::Int, .default_value = "1", .help = "LSTM / encoder layers.",
                 .min = 1, .max = 16},
                {.name = "chunk", .type = OptionType::Int, .default_value = "64",
                 .help = "Rows per training sequence (context of the sequence models).", .min = 2, .max = 100000},
                {.name = "columns", .type = OptionType::String,
                 .help = "Use only feature columns starting with these prefixes (comma-separated, e.g. mfcc,contrast).",
                 .metavar = "PREFIXES", .repeatable = true},
                {.name = "threads", .type = OptionType::Int, .default_value = "2", .help = "CPU threads.", .min = 1,
                 .max = 256},
                {.name = "context", .type = OptionType::Choice, .default_value = "none",
                 .help = "With --data TABLE: context features: all = the neighbouring utterances' words and the\n"
                         "speaker role; speaker = the role only; none.",
                 .choices = {"all", "speaker", "none"}},
                {.name = "solver", .type = OptionType::Choice, .default_value = "dual-cd",
                 .help = "With --data TABLE: the logistic regression's solver.", .choices = {"dual-cd", "sgd"}},
                {.name = "c", .type = OptionType::String, .default_value = "1",
                 .help = "With --data TABLE: the logistic regression's C (inverse L2 strength); several values\n"
                         "separated by commas with --folds K: the one the cross-validation scores best.",
                 .metavar = "C[,C...]"},
                {.name = "sublinear-tf", .type = OptionType::Flag,
                 .help = "With --data TABLE: n-gram counts as 1 + ln(count) before the IDF."},
                {.name = "thresholds", .type = OptionType::Choice, .default_value = "balanced",
                 .help = "With --data TABLE: each pattern's threshold: balanced = the boundary the balanced class\n"
                         "weights draw (margin 0); tuned = best F1 on the held-out lessons (within one standard\n"
                         "error, nearest that boundary).",
                 .choices = {"balanced", "tuned"}},
            },
        .examples = "  vidseg train --data dataset --features features/ --arch bilstm --out patterns.model\n"
                    "  vidseg train --data utterances.xlsx --text-column Реплика --labels-column Паттерны --out text.model\n"
                    "  vidseg train --task intro --data labels.json --features feats/ --arch transformer-crf --out intro.model",
    };
    const auto columns = table_column_options();
    spec.options.insert(spec.options.end(), columns.begin(), columns.end());
    return {spec, run_train};
}

}  // namespace vidseg::cli
