#include "vidseg/intro/intro_library.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>

#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/intro/episode_alignment.hpp"
#include "vidseg/intro/fingerprint_cache.hpp"

namespace vidseg::intro {

namespace fs = std::filesystem;
using nlohmann::json;
using timeline::Interval;

namespace {

double overlap(const Interval& x, const Interval& y) {
    return std::max(0.0, std::min(x.end, y.end) - std::max(x.start, y.start));
}

json interval_json(const Interval& i) { return json::array({i.start, i.end}); }

[[noreturn]] void bad(const std::string& subject, const std::string& what) {
    throw Error(ErrorCode::InvalidData, "not a usable intro library: " + what, subject);
}

Interval interval_from(const json& j, const std::string& subject, const std::string& field) {
    if (!j.is_array() || j.size() != 2 || !j[0].is_number() || !j[1].is_number() || !(j[0].get<double>() <= j[1].get<double>()))
        bad(subject, field + " must be [start, end] in seconds");
    return {j[0].get<double>(), j[1].get<double>()};
}

double number_from(const json& j, const char* key, const std::string& subject, const std::string& where) {
    if (!j.contains(key) || !j[key].is_number()) bad(subject, where + "\"" + key + "\" must be a number");
    return j[key].get<double>();
}

// The aligned runs of `audio` with a variant, clipped to the variant's intro, as (interval in the
// episode, agreeing items).
struct Match {
    Interval interval;
    int matched_items = 0;
};

std::vector<Match> match_variant(const IntroVariant& v, const AudioFingerprint& audio, const AlignmentOptions& align) {
    std::vector<Match> out;
    for (const auto& run : align_episodes(audio, v.audio, align)) {
        const double cut_start = std::max(0.0, v.intro.start - run.b.start);
        const double cut_end = std::max(0.0, run.b.end - v.intro.end);
        Interval in_episode{run.a.start + cut_start, run.a.end - cut_end};
        if (in_episode.length() <= 0) continue;
        out.push_back({in_episode, run.matched_items});
    }
    return out;
}

}  // namespace

IntroVariant cut_variant(const AudioFingerprint& fp, const Interval& intro) {
    IntroVariant v;
    v.audio.item_period = fp.item_period;
    v.audio.item_span = fp.item_span;
    if (fp.items.empty()) return v;
    const double T = fp.item_period;
    const long n = long(fp.items.size());
    const long first = std::clamp(long(std::floor((intro.start - fp.item_span) / T)), 0L, n - 1);
    const long last = std::clamp(long(std::ceil(intro.end / T)), first, n - 1);
    v.audio.items.assign(fp.items.begin() + first, fp.items.begin() + last + 1);
    if (fp.levels.size() == fp.items.size())
        v.audio.levels.assign(fp.levels.begin() + first, fp.levels.begin() + last + 1);
    v.audio.duration = double(last - first + 1) * T + fp.item_span;
    v.intro = {intro.start - double(first) * T, intro.end - double(first) * T};
    v.length = intro.length();
    return v;
}

IntroLibrary build_intro_library(const SeriesDetection& season, const IntroDetectOptions& options) {
    IntroLibrary lib;
    lib.fingerprint_parameters = fingerprint_parameters(fingerprint_options_for_detection(options));
    lib.max_start = options.max_start;
    lib.min_length = options.min_length;
    lib.max_length = options.max_length;

    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < season.detections.size(); ++i) {
        const auto& d = season.detections[i];
        if (d.error.empty() && d.intro && season.episodes[i].fingerprints.has_audio &&
            !season.episodes[i].fingerprints.audio.items.empty())
            order.push_back(i);
    }
    // Longest first: the full intro becomes a variant's fingerprint, shortened ones join it.
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
        return season.detections[x].intro->length() > season.detections[y].intro->length();
    });
    AlignmentOptions align = options.alignment;
    align.min_length = options.min_length;
    for (std::size_t i : order) {
        const Interval intro = *season.detections[i].intro;
        const IntroOccurrence occurrence{fs::path(season.detections[i].episode).filename().string(), intro};
        IntroVariant candidate = cut_variant(season.episodes[i].fingerprints.audio, intro);
        IntroVariant* joined = nullptr;
        for (auto& v : lib.variants) {
            for (const auto& m : match_variant(v, candidate.audio, align)) {
                // m.interval is in candidate's timeline: it must cover half of candidate's intro.
                if (overlap(m.interval, candidate.intro) >= 0.5 * std::min(candidate.intro.length(), v.length)) {
                    joined = &v;
                    break;
                }
            }
            if (joined) break;
        }
        if (joined) {
            joined->episodes.push_back(occurrence);
            continue;
        }
        candidate.id = int(lib.variants.size());
        candidate.episodes.push_back(occurrence);
        lib.variants.push_back(std::move(candidate));
    }
    return lib;
}

json intro_library_to_json(const IntroLibrary& lib) {
    json variants = json::array();
    for (const auto& v : lib.variants) {
        json eps = json::array();
        for (const auto& e : v.episodes) eps.push_back({{"episode", e.episode}, {"intro", interval_json(e.intro)}});
        variants.push_back({{"id", v.id},
                            {"length", v.length},
                            {"intro", interval_json(v.intro)},
                            {"audio_items", v.audio.items},
                            {"audio_levels", v.audio.levels},
                            {"episodes", std::move(eps)}});
    }
    const double period = lib.variants.empty() ? AudioFingerprint{}.item_period : lib.variants[0].audio.item_period;
    const double span = lib.variants.empty() ? 0.0 : lib.variants[0].audio.item_span;
    return {{"format", kIntroLibraryFormat},
            {"version", kIntroLibraryVersion},
            {"fingerprint",
             {{"audio", "chromaprint"},
              {"algorithm", "default"},
              {"sample_rate", kFingerprintSampleRate},
              {"item_period", period},
              {"item_span", span},
              {"parameters", lib.fingerprint_parameters}}},
            {"detect", {{"max_start", lib.max_start}, {"min_length", lib.min_length}, {"max_length", lib.max_length}}},
            {"variants", std::move(variants)}};
}

IntroLibrary intro_library_from_json(const json& doc, const std::string& subject) {
    if (!doc.is_object() || doc.value("format", json()) != kIntroLibraryFormat)
        bad(subject, "\"format\" is not \"" + std::string(kIntroLibraryFormat) + "\"");
    if (!doc.contains("version") || !doc["version"].is_number_integer()) bad(subject, "\"version\" is missing");
    const int version = doc["version"].get<int>();
    if (version != kIntroLibraryVersion)
        throw Error(ErrorCode::InvalidData,
                    "intro library version " + std::to_string(version) + " is not supported (this vidseg reads version " +
                        std::to_string(kIntroLibraryVersion) + "); run `vidseg intro learn` again",
                    subject);
    if (!doc.contains("fingerprint") || !doc["fingerprint"].is_object()) bad(subject, "\"fingerprint\" is missing");
    const json& f = doc["fingerprint"];
    if (f.value("audio", "") != "chromaprint" || f.value("sample_rate", 0) != kFingerprintSampleRate)
        bad(subject, "fingerprints are not Chromaprint at " + std::to_string(kFingerprintSampleRate) + " Hz");
    const double period = number_from(f, "item_period", subject, "fingerprint: ");
    const double span = number_from(f, "item_span", subject, "fingerprint: ");
    if (std::abs(period - AudioFingerprint{}.item_period) > 1e-6)
        bad(subject, "fingerprint item period " + std::to_string(period) + " s differs from this vidseg's");

    IntroLibrary lib;
    lib.fingerprint_parameters = f.value("parameters", "");
    if (!doc.contains("detect") || !doc["detect"].is_object()) bad(subject, "\"detect\" is missing");
    lib.max_start = number_from(doc["detect"], "max_start", subject, "detect: ");
    lib.min_length = number_from(doc["detect"], "min_length", subject, "detect: ");
    lib.max_length = number_from(doc["detect"], "max_length", subject, "detect: ");
    if (!doc.contains("variants") || !doc["variants"].is_array()) bad(subject, "\"variants\" must be an array");
    for (const auto& jv : doc["variants"]) {
        const std::string where = "variant " + std::to_string(lib.variants.size()) + ": ";
        if (!jv.is_object()) bad(subject, where + "not an object");
        IntroVariant v;
        v.id = int(number_from(jv, "id", subject, where));
        v.length = number_from(jv, "length", subject, where);
        v.intro = interval_from(jv.value("intro", json()), subject, where + "\"intro\"");
        const json items = jv.value("audio_items", json());
        if (!items.is_array() || items.empty()) bad(subject, where + "\"audio_items\" must be a non-empty array");
        for (const auto& it : items) {
            if (!it.is_number_unsigned() || it.get<uint64_t>() > 0xffffffffULL)
                bad(subject, where + "\"audio_items\" must hold 32-bit unsigned integers");
            v.audio.items.push_back(it.get<uint32_t>());
        }
        const json levels = jv.value("audio_levels", json::array());
        if (!levels.is_array() || (!levels.empty() && levels.size() != items.size()))
            bad(subject, where + "\"audio_levels\" must be empty or hold one level per item");
        for (const auto& l : levels) {
            if (!l.is_number_unsigned() || l.get<unsigned>() > 100) bad(subject, where + "\"audio_levels\" must be 0..100");
            v.audio.levels.push_back(l.get<uint8_t>());
        }
        v.audio.item_period = period;
        v.audio.item_span = span;
        v.audio.duration = double(v.audio.items.size()) * period + span;
        for (const auto& je : jv.value("episodes", json::array())) {
            if (!je.is_object() || !je.contains("episode") || !je["episode"].is_string())
                bad(subject, where + "\"episodes\" entries need an \"episode\" name");
            v.episodes.push_back({je["episode"].get<std::string>(), interval_from(je.value("intro", json()), subject,
                                                                                  where + "episode \"intro\"")});
        }
        lib.variants.push_back(std::move(v));
    }
    if (lib.variants.empty()) bad(subject, "it holds no intro variant");
    return lib;
}

void save_intro_library(const IntroLibrary& library, const fs::path& path) {
    if (path.has_parent_path()) {
        std::error_code ec;
        fs::create_directories(path.parent_path(), ec);
        if (ec) throw Error(ErrorCode::OutputError, "cannot create directory: " + ec.message(), path.parent_path());
    }
    write_file_atomic(path, intro_library_to_json(library).dump() + "\n");
}

IntroLibrary load_intro_library(const fs::path& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw Error(ErrorCode::InputNotFound, "intro library not found", path.string());
    if (fs::is_directory(path, ec))
        throw Error(ErrorCode::InvalidData, "intro library is a directory, expected the file written by `vidseg intro learn --out`",
                    path.string());
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::InputNotFound, "cannot open the intro library", path.string());
    const json doc = json::parse(in, nullptr, false);
    if (doc.is_discarded()) throw Error(ErrorCode::InvalidData, "intro library is not valid JSON (corrupt?)", path.string());
    return intro_library_from_json(doc, path.string());
}

IntroDetection match_intro_library(const IntroLibrary& library, const std::string& episode,
                                   const AudioFingerprint& audio, const IntroDetectOptions& options) {
    IntroDetection best;
    best.episode = episode;
    AlignmentOptions align = options.alignment;
    align.min_length = options.min_length;
    int best_items = 0;
    for (const auto& v : library.variants)
        for (const auto& m : match_variant(v, audio, align)) {
            if (m.interval.length() < options.min_length || m.interval.length() > options.max_length ||
                m.interval.start > options.max_start || m.matched_items <= best_items)
                continue;
            best_items = m.matched_items;
            best.intro = m.interval;
            best.variant = v.id;
            best.confidence = v.length > 0 ? std::min(1.0, m.interval.length() / v.length) : 0;
            best.confirmations = int(v.episodes.size());
        }
    if (best.intro && best.confidence < options.min_confidence) {
        best.intro.reset();
        best.variant = -1;
    }
    return best;
}

}  // namespace vidseg::intro
