#include "vidseg/publish/env_file.hpp"

#include <cctype>
#include <fstream>
#include <sstream>

#include "vidseg/core/error.hpp"

namespace vidseg::publish {

namespace {

std::string trim(const std::string& s) {
    std::size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return s.substr(b, e - b);
}

bool valid_name(const std::string& name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
    for (unsigned char c : name)
        if (!std::isalnum(c) && c != '_' && c != '.' && c != '-') return false;
    return true;
}

// The value after '=': quoted (up to the closing quote, the rest may be a comment) or bare (up to
// " #", trailing spaces dropped). nullopt-like failure is signalled by ok = false.
std::string parse_value(const std::string& raw, bool& ok) {
    ok = true;
    const std::string v = trim(raw);
    if (v.empty()) return {};
    if (v[0] == '\'' || v[0] == '"') {
        const char quote = v[0];
        std::string out;
        for (std::size_t i = 1; i < v.size(); ++i) {
            const char c = v[i];
            if (c == quote) {
                const std::string rest = trim(v.substr(i + 1));
                ok = rest.empty() || rest[0] == '#';
                return out;
            }
            if (quote == '"' && c == '\\' && i + 1 < v.size()) {
                const char n = v[++i];
                out += n == 'n' ? '\n' : n == 't' ? '\t' : n;
            } else {
                out += c;
            }
        }
        ok = false;  // no closing quote
        return {};
    }
    const auto comment = v.find(" #");
    return trim(comment == std::string::npos ? v : v.substr(0, comment));
}

}  // namespace

EnvValues parse_env_text(const std::string& text, const std::string& source) {
    EnvValues values;
    std::istringstream in(text);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line = line.substr(3);  // UTF-8 BOM
        std::string t = trim(line);
        if (t.empty() || t[0] == '#') continue;
        if (t.rfind("export ", 0) == 0) t = trim(t.substr(7));
        const auto eq = t.find('=');
        const std::string name = trim(t.substr(0, eq));
        bool ok = eq != std::string::npos && valid_name(name);
        std::string value;
        if (ok) value = parse_value(t.substr(eq + 1), ok);
        if (!ok)
            throw Error(ErrorCode::InvalidData,
                        "line " + std::to_string(number) + " is not NAME=value" +
                            (name.empty() || !valid_name(name) ? "" : " (variable " + name + ")"),
                        source);
        values[name] = value;
    }
    return values;
}

EnvValues read_env_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(ErrorCode::InputNotFound, "env file not found", file.string());
    std::ostringstream text;
    text << in.rdbuf();
    return parse_env_text(text.str(), file.string());
}

}  // namespace vidseg::publish
