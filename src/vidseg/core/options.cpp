#include "vidseg/core/options.hpp"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"

namespace vidseg {

const std::vector<OptionSpec>& common_options() {
    static const std::vector<OptionSpec> opts = {
        {.name = "help", .short_name = 'h', .type = OptionType::Flag, .help = "Show this help and exit."},
        {.name = "json", .type = OptionType::Flag, .help = "Print machine-readable JSON on stdout."},
        {.name = "quiet", .short_name = 'q', .type = OptionType::Flag,
         .help = "No progress bar and no informational messages (errors still go to stderr)."},
    };
    return opts;
}

namespace {

const OptionSpec* find_option(const CommandSpec& spec, const std::string& name, char short_name) {
    auto match = [&](const OptionSpec& o) {
        return (!name.empty() && o.name == name) || (short_name != 0 && o.short_name == short_name);
    };
    for (const auto& o : spec.options)
        if (match(o)) return &o;
    for (const auto& o : common_options())
        if (match(o)) return &o;
    return nullptr;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
    return out;
}

// A choice ending in ':' is a prefix: "model:" takes "model:FILE" (dataset build --keyframe); shown as
// "model:..." in messages and --help.
std::vector<std::string> shown_choices(const OptionSpec& o) {
    std::vector<std::string> out;
    for (const auto& c : o.choices) out.push_back(!c.empty() && c.back() == ':' ? c + "..." : c);
    return out;
}

void validate(const OptionSpec& o, const std::string& value) {
    auto fail = [&](const std::string& why) {
        throw Error(ErrorCode::InvalidArgument, "option --" + o.name + ": " + why);
    };
    switch (o.type) {
        case OptionType::Flag:
        case OptionType::String:
            return;
        case OptionType::Path:
            if (value.empty()) fail("expects a path, got an empty string");
            return;
        case OptionType::Choice:
            for (const auto& c : o.choices)
                if (!c.empty() && c.back() == ':' ? value.size() > c.size() && value.rfind(c, 0) == 0 : c == value)
                    return;
            fail("'" + value + "' is not one of: " + join(shown_choices(o), ", "));
            return;
        case OptionType::Int:
        case OptionType::Double: {
            errno = 0;
            char* end = nullptr;
            double v = std::strtod(value.c_str(), &end);
            if (value.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v))
                fail("expects a number, got '" + value + "'");
            if (o.type == OptionType::Int && v != std::floor(v))
                fail("expects a whole number, got '" + value + "'");
            if (o.min && v < *o.min) {
                std::ostringstream s;
                s << "must be >= " << *o.min << ", got " << value;
                fail(s.str());
            }
            if (o.max && v > *o.max) {
                std::ostringstream s;
                s << "must be <= " << *o.max << ", got " << value;
                fail(s.str());
            }
            return;
        }
    }
}

}  // namespace

ParsedOptions parse_command_line(const CommandSpec& spec, const std::vector<std::string>& args) {
    ParsedOptions out;
    bool only_positionals = false;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (only_positionals || a == "-" || a.size() < 2 || a[0] != '-') {
            out.positionals_.push_back(a);
            continue;
        }
        if (a == "--") {
            only_positionals = true;
            continue;
        }
        std::string name, value;
        bool has_inline_value = false;
        const OptionSpec* o = nullptr;
        if (a[1] == '-') {
            name = a.substr(2);
            if (auto eq = name.find('='); eq != std::string::npos) {
                value = name.substr(eq + 1);
                name = name.substr(0, eq);
                has_inline_value = true;
            }
            o = find_option(spec, name, 0);
        } else {
            if (a.size() != 2) throw Error(ErrorCode::InvalidArgument, "unknown option '" + a + "'");
            o = find_option(spec, {}, a[1]);
        }
        if (!o) throw Error(ErrorCode::InvalidArgument, "unknown option '" + a + "' (see --help)");
        if (o->type == OptionType::Flag) {
            if (has_inline_value) throw Error(ErrorCode::InvalidArgument, "option --" + o->name + " takes no value");
            out.values_[o->name] = {"1"};
            out.given_[o->name] = true;
            continue;
        }
        if (!has_inline_value) {
            if (i + 1 >= args.size())
                throw Error(ErrorCode::InvalidArgument, "option --" + o->name + " needs a value");
            value = args[++i];
        }
        validate(*o, value);
        auto& slot = out.values_[o->name];
        if (o->repeatable && out.given_[o->name])
            slot.push_back(value);
        else
            slot = {value};
        out.given_[o->name] = true;
        if (o->repeatable && o->takes_many && !has_inline_value)
            while (i + 1 < args.size() && !(args[i + 1].size() >= 2 && args[i + 1][0] == '-')) {
                validate(*o, args[i + 1]);
                slot.push_back(args[++i]);
            }
    }
    if (out.flag("help")) return out;  // positional checks do not apply to --help
    for (const auto& o : spec.options) {
        const std::string variable = option_env_name(spec, o);
        const char* value = variable.empty() || out.given_[o.name] ? nullptr : std::getenv(variable.c_str());
        if (!value) continue;
        const std::string text = value;
        if (o.type == OptionType::Flag) {
            if (text != "1" && text != "true" && text != "yes" && text != "0" && text != "false" && text != "no" &&
                !text.empty())
                throw Error(ErrorCode::InvalidArgument, variable + " (--" + o.name + ") expects 1/true/yes or 0/false/no");
            if (text == "1" || text == "true" || text == "yes") out.values_[o.name] = {"1"};
            else continue;
        } else {
            try {
                validate(o, text);
            } catch (const Error& e) {
                throw Error(ErrorCode::InvalidArgument, "environment variable " + variable + ": " + e.cause());
            }
            out.values_[o.name] = {text};
        }
        out.given_[o.name] = true;
    }
    // Defaults.
    for (const auto& o : spec.options)
        if (!out.given_[o.name] && !o.default_value.empty()) out.values_[o.name] = {o.default_value};
    // Positional counts.
    int min_total = 0;
    bool unbounded = false;
    int max_total = 0;
    for (const auto& p : spec.positionals) {
        min_total += p.min_count;
        if (p.max_count < 0)
            unbounded = true;
        else
            max_total += p.max_count;
    }
    const int n = static_cast<int>(out.positionals_.size());
    if (n < min_total) {
        std::string names;
        for (const auto& p : spec.positionals) names += (names.empty() ? "" : " ") + p.name;
        throw Error(ErrorCode::InvalidArgument, "missing argument: expected " + names + " (see --help)");
    }
    if (!unbounded && n > max_total)
        throw Error(ErrorCode::InvalidArgument, "unexpected argument '" + out.positionals_[max_total] + "'");
    return out;
}

std::string option_env_name(const CommandSpec& spec, const OptionSpec& option) {
    if (spec.env_prefix.empty()) return {};
    std::string name = spec.env_prefix;
    for (char c : option.name) name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return name;
}

ParsedOptions parse_option_object(const CommandSpec& spec, const nlohmann::json& object,
                                  const std::vector<std::string>& positionals) {
    if (!object.is_object())
        throw Error(ErrorCode::InvalidArgument, "options must be a JSON object, got " + std::string(object.type_name()));
    // Rebuilt as an argv so that one parser applies the table; "--" keeps positionals literal.
    std::vector<std::string> args;
    for (const auto& item : object.items()) {
        // Not a structured binding: the lambda below captures name (clang < 16 refuses to capture bindings).
        const std::string& name = item.key();
        const nlohmann::json& value = item.value();
        const OptionSpec* o = find_option(spec, name, 0);
        if (!o || name.empty() || o->name == "help" || o->name == "json" || o->name == "quiet")
            throw Error(ErrorCode::InvalidArgument, "unknown option '" + name + "'");
        auto scalar = [&](const nlohmann::json& v) -> std::string {
            if (v.is_string()) return v.get<std::string>();
            if (v.is_number_integer()) return std::to_string(v.get<long long>());
            if (v.is_number()) {
                std::ostringstream s;
                s.precision(17);
                s << v.get<double>();
                return s.str();
            }
            throw Error(ErrorCode::InvalidArgument, "option " + name + ": expects a number or a string, got " +
                                                        std::string(v.type_name()));
        };
        if (o->type == OptionType::Flag) {
            if (!value.is_boolean())
                throw Error(ErrorCode::InvalidArgument, "option " + name + ": expects true or false");
            if (value.get<bool>()) args.push_back("--" + name);
        } else if (value.is_array() && o->repeatable) {
            for (const auto& v : value) args.insert(args.end(), {"--" + name, scalar(v)});
        } else {
            args.insert(args.end(), {"--" + name, scalar(value)});
        }
    }
    args.push_back("--");
    args.insert(args.end(), positionals.begin(), positionals.end());
    return parse_command_line(spec, args);
}

bool ParsedOptions::has(const std::string& name) const { return values_.count(name) > 0; }
bool ParsedOptions::given(const std::string& name) const {
    auto it = given_.find(name);
    return it != given_.end() && it->second;
}
bool ParsedOptions::flag(const std::string& name) const { return has(name) && values_.at(name).front() == "1"; }
std::string ParsedOptions::str(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() || it->second.empty() ? std::string{} : it->second.back();
}
long long ParsedOptions::integer(const std::string& name) const { return std::llround(number(name)); }
double ParsedOptions::number(const std::string& name) const {
    std::string s = str(name);
    return s.empty() ? 0.0 : std::strtod(s.c_str(), nullptr);
}
std::vector<std::string> ParsedOptions::all(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::string format_help(const CommandSpec& spec, const std::string& program) {
    std::ostringstream s;
    s << "Usage: " << program << " " << spec.name << " [OPTIONS]";
    for (const auto& p : spec.positionals) {
        std::string n = p.name;
        if (p.max_count < 0 || p.max_count > 1) n += "...";
        s << " " << (p.min_count == 0 ? "[" + n + "]" : n);
    }
    s << "\n\n" << spec.summary << "\n";
    if (!spec.description.empty()) s << "\n" << spec.description << "\n";
    if (!spec.positionals.empty()) {
        s << "\nArguments:\n";
        for (const auto& p : spec.positionals) s << "  " << p.name << "\n      " << p.help << "\n";
    }
    auto print = [&](const OptionSpec& o, bool own) {
        std::string head = "  ";
        head += o.short_name ? std::string("-") + o.short_name + ", " : "    ";
        head += "--" + o.name;
        if (o.type != OptionType::Flag) {
            std::string mv = o.metavar;
            if (mv.empty()) {
                switch (o.type) {
                    case OptionType::Int: mv = "N"; break;
                    case OptionType::Double: mv = "X"; break;
                    case OptionType::Path: mv = "PATH"; break;
                    case OptionType::Choice: mv = join(shown_choices(o), "|"); break;
                    default: mv = "VALUE";
                }
            }
            head += " " + mv;
        }
        s << head << "\n      " << o.help;
        if (o.type == OptionType::Choice && !o.metavar.empty()) s << " One of: " << join(shown_choices(o), ", ") << ".";
        if (o.min || o.max) {
            s << " Range: " << (o.min ? std::to_string(*o.min).substr(0, std::to_string(*o.min).find('.') + 2) : "")
              << ".." << (o.max ? std::to_string(*o.max).substr(0, std::to_string(*o.max).find('.') + 2) : "")
              << ".";
        }
        if (!o.default_value.empty()) s << " Default: " << o.default_value << ".";
        if (const auto variable = option_env_name(spec, o); own && !variable.empty())
            s << " Env: " << variable << ".";
        if (o.repeatable) s << " May be repeated.";
        s << "\n";
    };
    s << "\nOptions:\n";
    for (const auto& o : spec.options) print(o, true);
    for (const auto& o : common_options()) print(o, false);
    if (!spec.examples.empty()) s << "\nExamples:\n" << spec.examples << "\n";
    return s.str();
}

}  // namespace vidseg
