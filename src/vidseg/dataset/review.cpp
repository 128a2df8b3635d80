#include "vidseg/dataset/review.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <istream>
#include <ostream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"
#include "vidseg/core/input_limits.hpp"

namespace fs = std::filesystem;

namespace vidseg::dataset {

namespace {

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

// Non-negative decimal integer, or -1 when `s` is not one.
long long number_or_minus_one(const std::string& s) {
    if (s.empty() || s.size() > 12 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return -1;
    return std::stoll(s);
}

std::string seconds(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : "; ") + s;
    return out;
}

// Splits "cmd rest of line" at the first blank.
std::pair<std::string, std::string> head_tail(const std::string& line) {
    const std::string t = trim(line);
    const auto sp = t.find_first_of(" \t");
    if (sp == std::string::npos) return {t, ""};
    return {t.substr(0, sp), trim(t.substr(sp + 1))};
}

}  // namespace

std::vector<size_t> parse_selection(const std::string& text, const std::vector<std::string>& ids) {
    std::set<size_t> out;
    const std::string all = trim(text);
    if (all.empty()) throw Error(ErrorCode::InvalidArgument, "empty selection (expected numbers like 3,5-9)");
    std::stringstream parts(all);
    for (std::string part; std::getline(parts, part, ',');) {
        part = trim(part);
        if (part.empty()) continue;
        if (part == "all") {
            for (size_t i = 0; i < ids.size(); ++i) out.insert(i);
            continue;
        }
        const auto dash = part.find('-', 1);
        long long a = -1, b = -1;
        if (dash != std::string::npos) {
            a = number_or_minus_one(trim(part.substr(0, dash)));
            b = number_or_minus_one(trim(part.substr(dash + 1)));
        } else {
            a = b = number_or_minus_one(part);
        }
        if (a < 0 || b < 0) {
            // Not a number or range: an item id (fragment names contain '_' and may contain '-').
            const auto it = std::find(ids.begin(), ids.end(), part);
            if (it == ids.end())
                throw Error(ErrorCode::InvalidArgument,
                            "'" + part + "' is neither a number, a range like 5-9, nor an item id");
            out.insert(static_cast<size_t>(it - ids.begin()));
            continue;
        }
        if (a == 0 || b == 0)
            throw Error(ErrorCode::InvalidArgument, "'" + part + "': items are numbered from 1");
        if (b < a) throw Error(ErrorCode::InvalidArgument, "'" + part + "': range end before its start");
        if (static_cast<size_t>(b) > ids.size())
            throw Error(ErrorCode::InvalidArgument,
                        "'" + part + "': there are only " + std::to_string(ids.size()) + " item(s)");
        for (long long n = a; n <= b; ++n) out.insert(static_cast<size_t>(n - 1));
    }
    if (out.empty()) throw Error(ErrorCode::InvalidArgument, "empty selection (expected numbers like 3,5-9)");
    return {out.begin(), out.end()};
}

std::vector<ExcludeEntry> read_exclude_argument(const std::string& argument) {
    std::vector<ExcludeEntry> out;
    std::error_code ec;
    const bool looks_like_file = argument.find('/') != std::string::npos || fs::exists(argument, ec);
    if (!looks_like_file) {
        const auto [sel, reason] = head_tail(argument);
        if (!sel.empty()) out.push_back({sel, reason});
        return out;
    }
    if (!fs::is_regular_file(argument, ec))
        throw Error(ErrorCode::InputNotFound, "cannot read the --exclude file", argument);
    std::istringstream in(read_limited_file(argument));
    for (std::string line; std::getline(in, line);) {
        line = trim(line);
        if (line.empty() || line[0] == '#') continue;
        const auto [sel, reason] = head_tail(line);
        out.push_back({sel, reason});
    }
    return out;
}

std::vector<ReviewDecision> read_review_log(const fs::path& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return {};
    return parse_review_log(read_limited_file(path), path.string());
}

std::vector<ReviewDecision> parse_review_log(const std::string& text, const std::string& subject) {
    std::vector<ReviewDecision> log;
    std::istringstream in(text);
    size_t number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        if (trim(line).empty()) continue;
        try {
            const auto j = nlohmann::json::parse(line);
            ReviewDecision d;
            d.item = j.at("item").get<std::string>();
            d.excluded = j.at("decision").get<std::string>() == "excluded";
            d.reason = j.value("reason", "");
            d.when = j.value("when", "");
            d.who = j.value("who", "");
            d.source = j.value("source", "");
            d.lesson = j.value("lesson", "");
            d.annotator = j.value("annotator", "");
            d.start = j.value("start", 0.0);
            d.end = j.value("end", 0.0);
            d.patterns = j.value("patterns", std::vector<std::string>{});
            if (j.contains("keyframe") && !j["keyframe"].is_null()) d.keyframe = j["keyframe"].get<double>();
            log.push_back(std::move(d));
        } catch (const nlohmann::json::exception& e) {
            throw Error(ErrorCode::InvalidData,
                        "review log line " + std::to_string(number) + " is not a decision: " + e.what(),
                        subject);
        }
    }
    return log;
}

std::string render_review_log(const std::vector<ReviewDecision>& log) {
    std::string out;
    for (const auto& d : log) {
        nlohmann::ordered_json j;
        j["item"] = d.item;
        j["decision"] = d.excluded ? "excluded" : "kept";
        j["reason"] = d.reason;
        j["when"] = d.when;
        j["who"] = d.who;
        j["source"] = d.source;
        j["lesson"] = d.lesson;
        j["start"] = d.start;
        j["end"] = d.end;
        j["patterns"] = d.patterns;
        j["annotator"] = d.annotator;
        if (d.keyframe) j["keyframe"] = *d.keyframe;
        out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    }
    return out;
}

std::map<std::string, ReviewDecision> latest_decisions(const std::vector<ReviewDecision>& log) {
    std::map<std::string, ReviewDecision> out;
    for (const auto& d : log) out[d.item] = d;
    return out;
}

std::map<std::string, double> picked_keyframes(const std::vector<ReviewDecision>& log) {
    std::map<std::string, double> out;
    for (const auto& d : log)
        if (d.keyframe) out[d.item] = *d.keyframe;
    return out;
}

std::string utc_now() {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

ReviewSession::ReviewSession(std::vector<ReviewItem> items, const std::vector<ReviewDecision>& previous,
                             std::string who)
    : items_(std::move(items)), who_(std::move(who)) {
    const auto latest = latest_decisions(previous);
    for (const auto& item : items_) {
        ids_.push_back(item.id);
        const auto it = latest.find(item.id);
        const bool ex = it != latest.end() && it->second.excluded;
        excluded_.push_back(ex);
        reasons_.push_back(ex ? it->second.reason : std::string());
    }
    decided_now_.assign(items_.size(), false);
}

std::vector<size_t> ReviewSession::select(const std::string& selection) const {
    return parse_selection(selection, ids_);
}

void ReviewSession::decide(size_t index, bool exclude, const std::string& reason, const std::string& source,
                           std::optional<double> keyframe) {
    const auto& item = items_[index];
    excluded_[index] = exclude;
    reasons_[index] = exclude ? reason : std::string();
    decided_now_[index] = true;
    ReviewDecision d;
    d.item = item.id;
    d.excluded = exclude;
    d.reason = reason;
    d.when = utc_now();
    d.who = who_;
    d.source = source;
    d.lesson = item.lesson;
    d.annotator = item.annotator;
    d.start = item.start;
    d.end = item.end;
    d.patterns = item.patterns;
    d.keyframe = keyframe;
    decisions_.push_back(std::move(d));
}

void ReviewSession::exclude(const std::string& selection, const std::string& reason, const std::string& source) {
    for (size_t i : select(selection)) decide(i, true, reason, source);
}

void ReviewSession::keep(const std::string& selection, const std::string& source) {
    for (size_t i : select(selection)) decide(i, false, "", source);
}

void ReviewSession::pick_keyframe(const std::string& selection, double time, const std::string& source) {
    for (size_t i : select(selection)) {
        if (time < items_[i].start - 1e-6 || time > items_[i].end + 1e-6)
            throw Error(ErrorCode::InvalidArgument, "keyframe " + seconds(time) + " s is outside " +
                                                        items_[i].id + " (" + seconds(items_[i].start) + "-" +
                                                        seconds(items_[i].end) + " s)");
        decide(i, excluded_[i], reasons_[i], source, time);
    }
}

void ReviewSession::confirm_rest() {
    for (size_t i = 0; i < items_.size(); ++i)
        if (!decided_now_[i] && !excluded_[i]) decide(i, false, "", "confirmed");
}

size_t ReviewSession::excluded_count() const {
    return static_cast<size_t>(std::count(excluded_.begin(), excluded_.end(), true));
}

void ReviewSession::list(std::ostream& out, const Messages& m) const {
    const int width = static_cast<int>(std::to_string(items_.size()).size());
    for (size_t i = 0; i < items_.size(); ++i) {
        const auto& item = items_[i];
        char num[32];
        std::snprintf(num, sizeof num, "%*zu", width, i + 1);
        out << "  " << num << "  " << m.text(excluded_[i] ? Msg::ReviewStateExcluded : Msg::ReviewStateKept)
            << "  " << item.lesson << "  " << seconds(item.start) << "-" << seconds(item.end) << "  ["
            << (item.patterns.empty() ? m.text(Msg::ReviewNoPattern) : joined(item.patterns)) << "]  "
            << item.annotator << "  " << item.keyframe;
        if (excluded_[i] && !reasons_[i].empty()) out << "  (" << reasons_[i] << ")";
        out << "\n";
    }
    out << m.text(Msg::ReviewListTotal,
                  {{"items", m.count(Msg::CountItems, static_cast<long long>(items_.size()))},
                   {"excluded", std::to_string(excluded_count())}})
        << "\n";
}

ReviewSession::Outcome ReviewSession::run(std::istream& in, std::ostream& out, const Viewer& viewer,
                                          const Messages& m) {
    const auto count = [&m](Msg noun, size_t n) { return m.count(noun, static_cast<long long>(n)); };
    // "x of y excluded" after a change.
    const auto tally = [&](Msg line, size_t picked) {
        return m.text(line, {{"items", count(Msg::CountItems, picked)},
                             {"excluded", std::to_string(excluded_count())},
                             {"total", std::to_string(items_.size())}});
    };
    out << m.text(Msg::ReviewHeader,
                  {{"fragments", count(Msg::CountFragments, items_.size())},
                   {"earlier", excluded_count() > 0 ? m.text(Msg::ReviewEarlierExcluded,
                                                             {{"excluded", std::to_string(excluded_count())}})
                                                    : ""}})
        << "\n";
    list(out, m);
    out << m.text(Msg::ReviewHelp, {{"bar", "|"}});
    for (;;) {
        out << m.text(Msg::ReviewPrompt) << std::flush;
        std::string line;
        if (!std::getline(in, line)) {
            out << "\n" << m.text(Msg::ReviewEndOfInput) << "\n";
            return Outcome::Aborted;
        }
        const auto [cmd, rest] = head_tail(line);
        if (cmd.empty()) continue;
        try {
            if (cmd == "list" || cmd == "l" || cmd == "ls") {
                list(out, m);
            } else if (cmd == "view" || cmd == "v") {
                for (size_t i : select(rest)) {
                    out << m.text(Msg::ReviewFrame, {{"number", std::to_string(i + 1)},
                                                     {"id", items_[i].id},
                                                     {"keyframe", items_[i].keyframe}})
                        << "\n";
                    if (viewer) viewer(items_[i], out);
                }
            } else if (cmd == "x" || cmd == "exclude") {
                const auto [sel, reason] = head_tail(rest);
                const auto picked = select(sel);
                for (size_t i : picked) decide(i, true, reason, "interactive");
                out << tally(Msg::ReviewExcludedNow, picked.size()) << "\n";
            } else if (cmd == "keep" || cmd == "k") {
                const auto picked = select(rest);
                for (size_t i : picked) decide(i, false, "", "interactive");
                out << tally(Msg::ReviewKeptNow, picked.size()) << "\n";
            } else if (cmd == "done" || cmd == "d" || cmd == "confirm" || cmd == "y" || cmd == "yes") {
                out << m.text(Msg::ReviewConfirmed,
                              {{"kept", std::to_string(items_.size() - excluded_count())},
                               {"excluded", std::to_string(excluded_count())}})
                    << "\n";
                return Outcome::Confirmed;
            } else if (cmd == "quit" || cmd == "q" || cmd == "abort" || cmd == "exit") {
                out << m.text(Msg::ReviewAborted) << "\n";
                return Outcome::Aborted;
            } else if (cmd == "help" || cmd == "h" || cmd == "?") {
                out << m.text(Msg::ReviewHelp, {{"bar", "|"}});
            } else {
                out << m.text(Msg::ReviewUnknownCommand, {{"command", cmd}}) << "\n";
            }
        } catch (const Error& e) {
            out << m.text(Msg::ReviewError, {{"message", e.what()}}) << "\n";
        }
    }
}

}  // namespace vidseg::dataset
