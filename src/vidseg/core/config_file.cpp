#include "vidseg/core/config_file.hpp"

#include <algorithm>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"

namespace vidseg {

namespace {

std::string trim(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r");
    if (first == std::string::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

}  // namespace

CommandSpec with_config_file(CommandSpec spec, const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw Error(ErrorCode::InputNotFound, "config file not found or unreadable", file.string());
    // Values are checked one at a time by the table (parse_option_object), so an error names its line.
    std::vector<std::string> positionals;
    for (const auto& p : spec.positionals) positionals.insert(positionals.end(), p.min_count, "x");
    CommandSpec checker = spec;
    checker.env_prefix.clear();
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        line = trim(line);
        if (line.empty() || line[0] == '#') continue;
        const std::string where = file.string() + ":" + std::to_string(number) + ": ";
        const auto eq = line.find('=');
        if (eq == std::string::npos)
            throw Error(ErrorCode::InvalidArgument, where + "expected 'name = value', got '" + line + "'");
        const std::string name = trim(line.substr(0, eq));
        std::string value = trim(line.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
            value = value.substr(1, value.size() - 2);
        auto option = std::find_if(spec.options.begin(), spec.options.end(),
                                   [&](const OptionSpec& o) { return o.name == name; });
        if (option == spec.options.end() || name == "config")
            throw Error(ErrorCode::InvalidArgument, where + "unknown option '" + name + "'");
        nlohmann::json one = nlohmann::json::object();
        if (option->type == OptionType::Flag) {
            if (value != "true" && value != "false")
                throw Error(ErrorCode::InvalidArgument, where + name + " expects true or false");
            one[name] = value == "true";
        } else {
            one[name] = value;
        }
        try {
            parse_option_object(checker, one, positionals);
        } catch (const Error& e) {
            throw Error(ErrorCode::InvalidArgument, where + e.cause());
        }
        option->default_value = option->type == OptionType::Flag ? (value == "true" ? "1" : "") : value;
    }
    return spec;
}

}  // namespace vidseg
