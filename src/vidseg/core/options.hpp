// One declarative option table per command drives parsing, validation and --help.
// Front ends declare a CommandSpec, call parse_command_line(), then copy the values into the
// plain config struct of the library call; nothing else parses argv.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

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
    std::map<std::string, std::vector<std::string>> values_;
    std::map<std::string, bool> given_;
    std::vector<std::string> positionals_;
};

// Options every command accepts (--help, --json, --quiet); appended by parse and help.
const std::vector<OptionSpec>& common_options();

// Parses args (without the program and command names). Throws Error(InvalidArgument) with a
// message naming the option on unknown options, missing values, out-of-range numbers, bad choices.
ParsedOptions parse_command_line(const CommandSpec& spec, const std::vector<std::string>& args);

// Renders the --help text of a command from its table.
std::string format_help(const CommandSpec& spec, const std::string& program = "vidseg");

}  // namespace vidseg
