#include "vidseg/mcp/tool_schema.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "vidseg/core/error.hpp"

namespace vidseg::mcp {

namespace {

// The table's default (text) as a JSON value of the option's type; null when it is not one.
nlohmann::json typed_default(const OptionSpec& option) {
    const std::string& text = option.default_value;
    char* end = nullptr;
    switch (option.type) {
        case OptionType::Int: {
            const long long value = std::strtoll(text.c_str(), &end, 10);
            return *end == '\0' ? nlohmann::json(value) : nlohmann::json();
        }
        case OptionType::Double: {
            const double value = std::strtod(text.c_str(), &end);
            return *end == '\0' ? nlohmann::json(value) : nlohmann::json();
        }
        case OptionType::Flag:
            return text == "1";
        default:
            return text;
    }
}

bool takes_many(const PositionalSpec& positional) {
    return positional.max_count < 0 || positional.max_count > 1;
}

}  // namespace

nlohmann::json option_schema(const OptionSpec& option) {
    nlohmann::json value;
    switch (option.type) {
        case OptionType::Flag:
            value = {{"type", "boolean"}};
            break;
        case OptionType::String:
            value = {{"type", "string"}};
            break;
        case OptionType::Path:
            value = {{"type", "string"}, {"minLength", 1}};
            break;
        case OptionType::Int:
        case OptionType::Double:
            value = {{"type", option.type == OptionType::Int ? "integer" : "number"}};
            if (option.min) value["minimum"] = *option.min;
            if (option.max) value["maximum"] = *option.max;
            break;
        case OptionType::Choice: {
            // A choice ending in ':' is a prefix (core/options.hpp): "model:" takes "model:FILE".
            std::vector<std::string> words, prefixes;
            for (const auto& c : option.choices) (!c.empty() && c.back() == ':' ? prefixes : words).push_back(c);
            value = {{"type", "string"}};
            if (prefixes.empty()) {
                value["enum"] = words;
                break;
            }
            nlohmann::json any = nlohmann::json::array();
            any.push_back(nlohmann::json{{"enum", words}});
            for (const auto& p : prefixes) {
                std::string pattern = "^";
                for (char ch : p) {
                    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != ':' && ch != '-' && ch != '_') pattern += '\\';
                    pattern += ch;
                }
                any.push_back({{"pattern", pattern + "."}});
            }
            value["anyOf"] = std::move(any);
            break;
        }
    }
    nlohmann::json schema = option.repeatable ? nlohmann::json{{"type", "array"}, {"items", value}} : value;
    schema["description"] = option.help;
    if (!option.default_value.empty() && !option.repeatable)
        if (auto typed = typed_default(option); !typed.is_null()) schema["default"] = std::move(typed);
    return schema;
}

std::string positional_argument(const PositionalSpec& positional) {
    std::string name;
    for (char c : positional.name)
        name += c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return takes_many(positional) ? name + "s" : name;
}

nlohmann::json input_schema(const CommandSpec& spec) {
    nlohmann::json properties = nlohmann::json::object();
    nlohmann::json required = nlohmann::json::array();
    for (const auto& p : spec.positionals) {
        const std::string name = positional_argument(p);
        if (takes_many(p)) {
            properties[name] = {{"type", "array"},
                                {"items", {{"type", "string"}, {"minLength", 1}}},
                                {"description", p.help}};
            if (p.min_count > 0) properties[name]["minItems"] = p.min_count;
            if (p.max_count > 1) properties[name]["maxItems"] = p.max_count;
        } else {
            properties[name] = {{"type", "string"}, {"minLength", 1}, {"description", p.help}};
        }
        if (p.min_count > 0) required.push_back(name);
    }
    for (const auto& o : spec.options) properties[o.name] = option_schema(o);
    nlohmann::json schema = {{"type", "object"}, {"properties", properties}, {"additionalProperties", false}};
    if (!required.empty()) schema["required"] = required;
    return schema;
}

CommandSpec without_options(CommandSpec spec, const std::vector<std::string>& names) {
    std::erase_if(spec.options, [&names](const OptionSpec& o) {
        return std::find(names.begin(), names.end(), o.name) != names.end();
    });
    return spec;
}

ParsedOptions parse_tool_arguments(const CommandSpec& spec, const nlohmann::json& arguments) {
    if (!arguments.is_object())
        throw Error(ErrorCode::InvalidArgument, "the arguments must be a JSON object");
    nlohmann::json options = arguments;
    std::vector<std::string> positionals;
    for (const auto& p : spec.positionals) {
        const std::string name = positional_argument(p);
        const auto it = options.find(name);
        if (it == options.end()) {
            if (p.min_count > 0) throw Error(ErrorCode::InvalidArgument, "missing argument '" + name + "'");
            continue;
        }
        const auto take = [&](const nlohmann::json& value) {
            if (!value.is_string() || value.get<std::string>().empty())
                throw Error(ErrorCode::InvalidArgument, "argument '" + name + "' expects a non-empty string");
            positionals.push_back(value.get<std::string>());
        };
        if (takes_many(p) && it->is_array())
            for (const auto& value : *it) take(value);
        else
            take(*it);
        options.erase(it);
    }
    return parse_option_object(spec, options, positionals);
}

}  // namespace vidseg::mcp
