#include "vidseg/eval/agreement_options.hpp"

#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "vidseg/annotations/label_matcher.hpp"
#include "vidseg/annotations/label_studio_export.hpp"
#include "vidseg/annotations/label_studio_users.hpp"
#include "vidseg/annotations/pattern_list.hpp"
#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"

namespace vidseg::eval {

CommandSpec dataset_agreement_command_spec() {
    return {
        .name = "dataset agreement",
        .summary =
            "Inter-annotator agreement (percent agreement, Cohen's / Fleiss' kappa) of Label Studio exports.",
        .description =
            "Reads one export in which several annotators labeled the same tasks, or one export per "
            "annotator\n"
            "(JSON, JSON_MIN or CSV). Segments of two annotators match when they carry the same label and\n"
            "IoU >= --iou. Kappa is computed per label over a time grid of --bin seconds (Cohen's for two\n"
            "annotators, Fleiss' for more). Bands: >= 0.80 excellent, >= 0.60 good, >= 0.40 moderate, else "
            "poor.\n"
            "Only tasks that at least two annotators labelled are compared; a pattern that occurs on none of "
            "them\n"
            "is 'not enough data' (no kappa). The grid runs to the media's end when the export tells it.\n"
            "--consensus writes matched segments (mean boundaries) of labels with kappa >= --min-kappa as a\n"
            "Label Studio JSON export that imports into the same project (each control's own result type "
            "and\n"
            "the annotators' label strings).",
        .positionals =
            {{.name = "EXPORT", .help = "Label Studio export(s).", .min_count = 1, .max_count = -1}},
        .options =
            {{.name = "iou",
              .type = OptionType::Double,
              .default_value = "0.5",
              .help = "IoU at which two segments match.",
              .metavar = "X",
              .min = 0.01,
              .max = 1},
             {.name = "bin",
              .type = OptionType::Double,
              .default_value = "1",
              .help = "Time-grid bin for kappa, seconds.",
              .metavar = "SECONDS",
              .min = 0.01,
              .max = 3600},
             {.name = "min-kappa",
              .type = OptionType::Double,
              .default_value = "0.6",
              .help = "Labels with kappa below this are left out of the consensus.",
              .metavar = "K",
              .min = -1,
              .max = 1},
             {.name = "consensus",
              .type = OptionType::Path,
              .help = "Write the consensus export here.",
              .metavar = "OUT.json"},
             {.name = "patterns",
              .type = OptionType::Path,
              .help = "Pattern list (xlsx/csv/txt): labels are matched to pattern names tolerantly.",
              .metavar = "FILE"},
             {.name = "fps",
              .type = OptionType::Double,
              .help =
                  "Frame rate for timelinelabels of tasks without 'fps' (the config's <Video frameRate>).",
              .min = 1,
              .max = 1000},
             {.name = "label-config",
              .type = OptionType::Path,
              .help = "The project's label config XML: numeric <Video frameRate>, control names (JSON_MIN / "
                      "CSV single answers).",
              .metavar = "FILE"},
             {.name = "annotators",
              .type = OptionType::Path,
              .help = "Users file (Label Studio's GET /api/users saved as JSON: id, first_name, last_name, "
                      "username, email): annotators are shown by name instead of 'user N'.",
              .metavar = "users.json"}},
        .examples =
            "  vidseg dataset agreement project-1.json --annotators users.json\n"
            "  vidseg dataset agreement anna.json boris.json --consensus consensus.json\n"
            "  vidseg dataset agreement export.json --patterns patterns.xlsx --json",
    };
}

AgreementRun run_dataset_agreement(const ParsedOptions& options) {
    AgreementRun run;
    annotations::ReadOptions read;
    if (options.given("label-config")) {
        const auto info = annotations::read_label_config(options.str("label-config"));
        read.controls = info.controls;
        read.fps = info.frame_rate;
    }
    if (options.given("fps")) read.fps = options.number("fps");
    std::map<long long, annotations::UserInfo> users;
    if (options.given("annotators")) users = annotations::read_users(options.str("annotators"));
    std::vector<NamedExport> exports;
    for (const auto& path : options.positionals()) {
        auto project = annotations::read_export(path, read);
        for (const auto& w : project.warnings) run.warnings.push_back(path + ": " + w);
        for (const auto& t : project.tasks)
            if (t.needs_fps())
                throw Error(ErrorCode::InvalidArgument,
                            "fps unknown for " + t.describe() + " of " + path +
                                ": its video timeline labels are frame numbers; pass --fps or --label-config "
                                "(with a numeric <Video frameRate>)");
        annotations::apply_user_names(project, users);
        exports.push_back({path, std::move(project)});
    }

    std::optional<annotations::LabelMatcher> matcher;
    if (options.given("patterns")) matcher.emplace(annotations::read_patterns(options.str("patterns")));
    run.matched_patterns = matcher.has_value();
    run.corpus = corpus_from_exports(exports, matcher ? &*matcher : nullptr);
    const auto& corpus = run.corpus;
    if (corpus.input.annotators.size() < 2) {
        std::string found = corpus.input.annotators.empty() ? "none" : "'" + corpus.input.annotators[0] + "'";
        throw Error(ErrorCode::InvalidArgument,
                    "agreement needs at least two annotators, found " +
                        std::to_string(corpus.input.annotators.size()) + " (" + found +
                        "): give one export in which several people annotated the same task, or "
                        "one export per annotator");
    }
    AgreementOptions opt;
    opt.iou_threshold = options.number("iou");
    opt.bin_seconds = options.number("bin");
    opt.min_kappa = options.number("min-kappa");
    run.report = compute_agreement(corpus.input, opt);

    if (options.given("consensus")) {
        run.consensus = consensus_segments(corpus.input, run.report, opt);
        run.consensus_path = options.str("consensus");
        write_file_atomic(run.consensus_path,
                          annotations::to_full_json(consensus_project(corpus, run.consensus)).dump(2) + "\n");
    }
    return run;
}

nlohmann::json to_json(const AgreementRun& run) {
    auto doc = to_json(run.report);
    doc["units"] = run.corpus.input.units.size();
    if (run.matched_patterns) {
        nlohmann::json unmatched = nlohmann::json::array();
        for (const auto& m : run.corpus.labels.unmatched)
            unmatched.push_back({{"label", m.label}, {"reason", m.reason}, {"closest", m.best_candidate}});
        doc["unmatched_labels"] = unmatched;
    }
    if (!run.consensus_path.empty())
        doc["consensus"] = {{"path", run.consensus_path}, {"segments", run.consensus.size()}};
    return doc;
}

}  // namespace vidseg::eval
