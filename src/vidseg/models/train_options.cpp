#include "vidseg/models/train_options.hpp"

#include <sstream>

#include "vidseg/core/error.hpp"
#include "vidseg/text/table_column_options.hpp"

namespace vidseg::models {

CommandSpec train_command_spec() {
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
    const auto columns = text::table_column_options();  // --data TABLE
    spec.options.insert(spec.options.end(), columns.begin(), columns.end());
    return spec;
}

std::vector<std::string> split_comma_list(const std::vector<std::string>& values) {
    std::vector<std::string> out;
    for (const auto& v : values) {
        std::stringstream s(v);
        std::string part;
        while (std::getline(s, part, ','))
            if (!part.empty()) out.push_back(part);
    }
    return out;
}

TrainOptions train_config(const ParsedOptions& options) {
    TrainOptions config;
    config.task = parse_task(options.str("task"));
    if (options.str("arch") == "crf")
        throw Error(ErrorCode::InvalidArgument, "--arch crf is the sequence model over utterances: it trains on "
                    "--data TABLE (a table of transcribed utterances)");
    config.arch = parse_architecture(options.str("arch"));
    config.epochs = int(options.integer("epochs"));
    config.lr = options.given("lr") ? options.number("lr") : (config.arch == Architecture::Linear ? 0.05 : 0.01);
    config.seed = std::uint64_t(options.integer("seed"));
    config.folds = int(options.integer("folds"));
    config.val_fraction = options.number("val-fraction");
    config.patience = int(options.integer("patience"));
    config.threads = int(options.integer("threads"));
    config.hyper.hidden = int(options.integer("hidden"));
    config.hyper.chunk = int(options.integer("chunk"));
    config.hyper.layers = int(options.integer("layers"));
    return config;
}

std::size_t training_rows(const TrainingSet& set) {
    std::size_t rows = 0;
    for (const auto& s : set.sequences) rows += s.features.rows();
    return rows;
}

void check_training_folds(const TrainingSet& set, const TrainOptions& config) {
    if (config.folds < 2) return;
    const std::size_t chunks = count_training_chunks(set, config.hyper.chunk);
    if (chunks >= std::size_t(config.folds)) return;
    throw Error(ErrorCode::InvalidArgument,
                "--folds " + std::to_string(config.folds) + " is more than the data can be split into: " +
                    std::to_string(set.sequences.size()) + " video(s), " + std::to_string(training_rows(set)) +
                    " rows = " + std::to_string(chunks) + " chunk(s) of " +
                    std::to_string(training_chunk_rows(set, config.hyper.chunk)) + " rows; use --folds " +
                    (chunks >= 2 ? "2.." + std::to_string(chunks) : std::string("0")) + " or a smaller --chunk");
}

nlohmann::json trained_model_json(const TrainedModel& model, const std::string& model_path, const std::string& data,
                                  const TrainingSet& set) {
    const auto& info = model.info();
    return {{"model", model_path},
            {"data", data},
            {"arch", architecture_name(info.arch)},
            {"task", task_name(info.task)},
            {"labels", info.labels},
            {"columns", info.spec.columns.size()},
            {"chroma_tuning", info.chroma.estimated ? nlohmann::json("auto") : nlohmann::json(info.chroma.fixed)},
            {"videos", set.sequences.size()},
            {"rows", training_rows(set)},
            {"training", info.training}};
}

}  // namespace vidseg::models
