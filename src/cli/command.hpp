// The CLI's command registry: each command is a table (drives --help and validation) plus a
// run function that turns parsed options into a library config, calls the library and prints.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/core/messages.hpp"
#include "vidseg/core/options.hpp"
#include "vidseg/core/progress.hpp"

namespace vidseg::intro {
class FingerprintCache;
struct SeriesDetection;
struct IntroDetection;
struct IntroDetectOptions;
}  // namespace vidseg::intro

namespace vidseg::cli {

struct Context {
    bool json = false;
    bool quiet = false;
    std::unique_ptr<Progress> progress;  // TerminalProgress on a tty, NullProgress otherwise
    Messages messages;                   // console results in the language of --lang / the locale

    // Informational message on stderr (suppressed by --quiet and --json).
    void info(const std::string& message) const;
    // "warning: TEXT" / "note: TEXT" on stderr in the language of --lang (callers decide when it is
    // shown). `text` is a library's English warning (rendered through Messages::from_english) or
    // already in the user's language.
    void warning(const std::string& text) const;
    void note(const std::string& text) const;
    // Prints a JSON document on stdout.
    void print_json(const nlohmann::json& doc) const;
};

// "12.35": seconds, scores and confidences in console lines; one_decimal: "12.3". Console lines keep
// the decimal point in every language (scripts parse them); HTML reports format per language.
std::string two_decimals(double value);
std::string one_decimal(double value);

struct Command {
    CommandSpec spec;
    int (*run)(const ParsedOptions& options, Context& context);
};

// One factory per command file.
Command probe_command();
Command prepare_command();
Command cut_command();
Command keyframes_command();
Command keyframes_learn_command();
Command audio_command();
Command intro_eval_command();
Command dataset_agreement_command();
Command dataset_build_command();
Command dataset_foto_command();
Command dataset_publish_command();
Command intro_detect_command();
Command intro_learn_command();
Command features_command();
Command train_command();
Command predict_command();
Command patterns_find_command();
Command patterns_eval_command();
Command transcribe_command();
Command serve_command();
Command users_add_command();
Command worker_command();
Command agent_watch_command();
Command mcp_command();

// Shared by intro detect and intro learn (cmd_intro_learn.cpp): the fingerprint cache (--cache DIR,
// --no-cache; "" = no cache), matching against an intro library (--library), the series groups of a
// mixed folder.
void report_intro_cache(const intro::FingerprintCache& cache, const Context& context);
// "warning: skipping 'EPISODE': ERROR" in the language of --lang (the error's cause stays English).
void warn_skipping(const std::string& episode, const std::string& error, const Context& context);
nlohmann::json intro_cache_json(const intro::FingerprintCache& cache);
int run_intro_detect_library(const std::vector<std::string>& episodes, const ParsedOptions& options, Context& context);
void print_intro_series(const intro::SeriesDetection& season, const Messages& messages);

}  // namespace vidseg::cli
