#include "vidseg/annotations/label_matcher.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include "vidseg/core/error.hpp"

namespace vidseg::annotations {

namespace {

std::vector<char32_t> decode(const std::string& s) {
    std::vector<char32_t> out;
    for (size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (len == 0 || i + len > s.size()) {
            ++i;  // invalid byte: dropped
            continue;
        }
        char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
        bool ok = true;
        for (int k = 1; k < len; ++k) {
            const unsigned char cc = static_cast<unsigned char>(s[i + k]);
            if ((cc >> 6) != 2) ok = false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        i += ok ? len : 1;
        if (ok) out.push_back(cp);
    }
    return out;
}

void encode(char32_t cp, std::string& out) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

char32_t lower(char32_t c) {
    if (c >= U'A' && c <= U'Z') return c + 32;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;  // Latin-1 capitals (not ×)
    if (c >= 0x410 && c <= 0x42F) return c + 32;             // А..Я
    if (c >= 0x400 && c <= 0x40F) return c + 80;             // Ѐ..Џ (Ё → ё)
    return c;
}

bool is_word_char(char32_t c) {
    if ((c >= U'a' && c <= U'z') || (c >= U'0' && c <= U'9')) return true;
    if (c >= 0xDF && c <= 0xFF && c != 0xF7) return true;  // Latin-1 small letters
    if (c >= 0x430 && c <= 0x45F) return true;             // Cyrillic small letters
    return false;
}

std::u32string normalized_u32(const std::string& text) {
    std::vector<char32_t> cps = decode(text);
    // Compose the two decomposed Cyrillic letters users' tools produce.
    std::vector<char32_t> composed;
    for (char32_t c : cps) {
        if (c == 0x306 && !composed.empty() && (composed.back() == 0x438 || composed.back() == 0x418)) {
            composed.back() = composed.back() == 0x438 ? 0x439 : 0x419;
            continue;
        }
        if (c == 0x308 && !composed.empty() && (composed.back() == 0x435 || composed.back() == 0x415)) {
            composed.back() = composed.back() == 0x435 ? 0x451 : 0x401;
            continue;
        }
        composed.push_back(c);
    }
    std::u32string out;
    bool pending_space = false;
    for (char32_t c : composed) {
        c = lower(c);
        if (c == 0x451) c = 0x435;  // ё → е
        if (is_word_char(c)) {
            if (pending_space && !out.empty()) out += U' ';
            pending_space = false;
            out += c;
        } else {
            pending_space = true;
        }
    }
    return out;
}

std::string to_utf8(const std::u32string& s) {
    std::string out;
    for (char32_t c : s) encode(c, out);
    return out;
}

std::vector<std::u32string> tokens(const std::u32string& s) {
    std::vector<std::u32string> out;
    size_t b = 0;
    while (b < s.size()) {
        size_t e = s.find(U' ', b);
        if (e == std::u32string::npos) e = s.size();
        if (e - b >= 3) out.push_back(s.substr(b, e - b));
        b = e + 1;
    }
    return out;
}

double token_similarity(const std::u32string& a, const std::u32string& b) {
    if (a == b) return 1.0;
    if (a.size() < 2 || b.size() < 2) return 0.0;
    std::multiset<std::u32string> ba;
    for (size_t i = 0; i + 1 < a.size(); ++i) ba.insert(a.substr(i, 2));
    size_t common = 0, nb = 0;
    for (size_t i = 0; i + 1 < b.size(); ++i, ++nb) {
        auto it = ba.find(b.substr(i, 2));
        if (it != ba.end()) {
            ++common;
            ba.erase(it);
        }
    }
    const double dice = 2.0 * common / static_cast<double>((a.size() - 1) + nb);
    return dice >= 0.5 ? dice : 0.0;
}

double directed(const std::vector<std::u32string>& from, const std::vector<std::u32string>& to) {
    if (from.empty()) return 0.0;
    double sum = 0;
    for (const auto& t : from) {
        double best = 0;
        for (const auto& u : to) best = std::max(best, token_similarity(t, u));
        sum += best;
    }
    return sum / static_cast<double>(from.size());
}

double fuzzy_score(const std::string& label, const std::string& pattern) {
    auto lt = tokens(normalized_u32(label)), pt = tokens(normalized_u32(pattern));
    if (lt.empty() || pt.empty()) return 0.0;
    return 0.7 * directed(lt, pt) + 0.3 * directed(pt, lt);
}

bool roles_compatible(Role a, Role b) { return a == Role::Unknown || b == Role::Unknown || a == b; }

std::string format_score(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

}  // namespace

std::string utf8_lower(const std::string& text) {
    std::string out;
    for (char32_t c : decode(text)) encode(lower(c), out);
    return out;
}

std::string normalize_label(const std::string& text) { return to_utf8(normalized_u32(text)); }

LabelKey label_key(const std::string& label) {
    // Role prefix: the first letters of the label (after emoji / spaces) are "П" or "У" followed by ':'.
    std::vector<char32_t> cps = decode(label);
    Role role = Role::Unknown;
    size_t i = 0;
    while (i < cps.size() && !is_word_char(lower(cps[i]))) ++i;
    std::string rest = label;
    if (i + 1 < cps.size()) {
        const char32_t r = lower(cps[i]);
        size_t j = i + 1;
        while (j < cps.size() && (cps[j] == U' ' || cps[j] == 0xA0)) ++j;
        if ((r == 0x43F || r == 0x443) && j < cps.size() && cps[j] == U':') {
            role = r == 0x43F ? Role::Teacher : Role::Student;
            std::string tail;
            for (size_t k = j + 1; k < cps.size(); ++k) encode(cps[k], tail);
            rest = tail;
        }
    }
    std::u32string norm = normalized_u32(rest);
    // Role suffix: a trailing single-letter word "п" / "у".
    if (norm.size() >= 2 && norm[norm.size() - 2] == U' ' && (norm.back() == 0x43F || norm.back() == 0x443)) {
        const Role suffix = norm.back() == 0x43F ? Role::Teacher : Role::Student;
        if (role == Role::Unknown) role = suffix;
        norm.resize(norm.size() - 2);
    }
    return {to_utf8(norm), role};
}

const char* match_method_name(MatchMethod method) noexcept {
    switch (method) {
        case MatchMethod::Alias: return "alias";
        case MatchMethod::Exact: return "exact";
        case MatchMethod::Fuzzy: return "fuzzy";
        case MatchMethod::None: return "none";
    }
    return "?";
}

std::string MatchReport::summary() const {
    std::string out;
    for (const auto& m : unmatched) {
        out += "unmatched label '" + m.label + "'";
        if (!m.reason.empty()) out += ": " + m.reason;
        out += "\n";
    }
    return out;
}

LabelMatcher::LabelMatcher(std::vector<Pattern> patterns, MatcherOptions options)
    : patterns_(std::move(patterns)), options_(std::move(options)) {
    for (const auto& p : patterns_) keys_.push_back(label_key(p.name));
    for (const auto& [alias, target] : options_.aliases) {
        const std::string t = normalize_label(target);
        auto it = std::find_if(patterns_.begin(), patterns_.end(),
                               [&](const Pattern& p) { return normalize_label(p.name) == t; });
        if (it == patterns_.end())
            throw Error(ErrorCode::InvalidArgument, "alias '" + alias + "' names an unknown pattern '" + target + "'");
        alias_index_[normalize_label(alias)] = static_cast<size_t>(it - patterns_.begin());
    }
}

LabelMatch LabelMatcher::match(const std::string& label) const {
    LabelMatch m;
    m.label = label;
    auto take = [&](size_t i, MatchMethod method, double score) {
        m.pattern = i;
        m.pattern_name = patterns_[i].name;
        m.method = method;
        m.score = score;
        m.best_candidate = patterns_[i].name;
        m.best_score = score;
        return m;
    };
    if (auto it = alias_index_.find(normalize_label(label)); it != alias_index_.end())
        return take(it->second, MatchMethod::Alias, 1.0);
    const LabelKey key = label_key(label);
    if (key.text.empty()) {
        m.reason = "no letters or digits to compare";
        return m;
    }
    for (size_t i = 0; i < keys_.size(); ++i)
        if (keys_[i].text == key.text && roles_compatible(keys_[i].role, key.role))
            return take(i, MatchMethod::Exact, 1.0);
    // Fuzzy.
    double best = 0, second = 0;
    std::optional<size_t> best_i, second_i;
    for (size_t i = 0; i < keys_.size(); ++i) {
        if (!roles_compatible(keys_[i].role, key.role)) continue;
        const double s = fuzzy_score(key.text, keys_[i].text);
        if (s > best) {
            second = best;
            second_i = best_i;
            best = s;
            best_i = i;
        } else if (s > second) {
            second = s;
            second_i = i;
        }
    }
    if (best_i) {
        m.best_candidate = patterns_[*best_i].name;
        m.best_score = best;
    }
    if (!best_i || best < options_.threshold) {
        m.reason = "no pattern scores >= " + format_score(options_.threshold);
        if (best_i) m.reason += " (closest: '" + patterns_[*best_i].name + "', " + format_score(best) + ")";
        return m;
    }
    if (second_i && best - second < 0.05) {
        m.reason = "ambiguous between '" + patterns_[*best_i].name + "' (" + format_score(best) + ") and '" +
                   patterns_[*second_i].name + "' (" + format_score(second) + "); add an alias";
        return m;
    }
    auto r = take(*best_i, MatchMethod::Fuzzy, best);
    return r;
}

MatchReport LabelMatcher::match_all(const std::vector<std::string>& labels) const {
    MatchReport report;
    std::set<std::string> seen;
    for (const auto& l : labels) {
        if (!seen.insert(l).second) continue;
        report.matches.push_back(match(l));
        if (!report.matches.back().matched()) report.unmatched.push_back(report.matches.back());
    }
    return report;
}

}  // namespace vidseg::annotations
