// One declarative option table per command drives parsing, validation and --help.
// Front ends declare a CommandSpec, call parse_command_line(), then copy the values into the
// plain config struct of the library call; nothing else parses argv.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace vidseg {

enum class OptionType { Flag, String, Path, Int, Double, Choice };

struct OptionSpec {
    std::string name;  // long name without "--"
    char short_name = 0;
    OptionType type = OptionType::String;
    std::string default_value;  // empty = no default
    std::string help;
    std::string metavar;               // shown in help, e.g. SECONDS
    std::vector<std::string> choices;  // for Choice
    std::optional<double> min;         // for Int / Double
    std::optional<double> max;
    bool repeatable = false;  // collects every occurrence
    // With repeatable: the words after the value up to the next option are values too
    // (`--video a.mp4 b.mp4`, what a shell glob gives). Only for commands without positionals.
    bool takes_many = false;
};

struct PositionalSpec {
    std::string name;
    std::string help;
    int min_count = 1;
    int max_count = 1;  // -1 = unbounded
};

struct CommandSpec {
    std::string name;  // e.g. "prepare"
    std::string summary;
    std::string description;  // longer text under the usage line
    std::vector<PositionalSpec> positionals;
    std::vector<OptionSpec> options;
    std::string examples;
    // When set (e.g. "VIDSEG_"), an option not given on the command line is read from the
    // environment variable <prefix><NAME> (upper case, '-' as '_'): VIDSEG_MAX_UPLOAD for
    // --max-upload. Flags accept 1/true/yes and 0/false/no.
    std::string env_prefix;
};

class ParsedOptions {
public:
    bool has(const std::string& name) const;  // given on the command line or has a default
    bool given(const std::string& name) const;
    bool flag(const std::string& name) const;
    std::string str(const std::string& name) const;
    long long integer(const std::string& name) const;
    double number(const std::string& name) const;
    std::vector<std::string> all(const std::string& name) const;
    const std::vector<std::string>& positionals() const { return positionals_; }

private:
    friend ParsedOptions parse_command_line(const CommandSpec&, const std::vector<std::string>&);
    friend ParsedOptions parse_option_object(const CommandSpec&, const nlohmann::json&, const std::vector<std::string>&);
    std::map<std::string, std::vector<std::string>> values_;
    std::map<std::string, bool> given_;
    std::vector<std::string> positionals_;
};

// Options every command accepts (--help, --json, --quiet); appended by parse and help.
const std::vector<OptionSpec>& common_options();

// The environment variable that sets an option of a spec with an env_prefix ("" without one).
std::string option_env_name(const CommandSpec& spec, const OptionSpec& option);

// Parses args (without the program and command names). Throws Error(InvalidArgument) with a
// message naming the option on unknown options, missing values, out-of-range numbers, bad choices.
ParsedOptions parse_command_line(const CommandSpec& spec, const std::vector<std::string>& args);

// The same options given as a JSON object instead of argv (a job submitted to `vidseg serve`:
// {"segment": 5, "mode": "exact", "no-features": true}): names without "--", numbers or strings as
// values, true/false for flags, arrays for repeatable options. Validated by the same table with the
// same messages as parse_command_line; `positionals` stand for the command's arguments. Throws
// Error(InvalidArgument) for an unknown name, a value of the wrong JSON type, or a non-object.
ParsedOptions parse_option_object(const CommandSpec& spec, const nlohmann::json& object,
                                  const std::vector<std::string>& positionals);

// Renders the --help text of a command from its table.
std::string format_help(const CommandSpec& spec, const std::string& program = "vidseg");

}  // namespace vidseg
