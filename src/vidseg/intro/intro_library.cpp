#include "vidseg/intro/intro_library.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <numeric>

#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/json_numbers.hpp"
#include "vidseg/core/input_limits.hpp"
#include "vidseg/intro/episode_alignment.hpp"
#include "vidseg/intro/fingerprint_cache.hpp"
#include "vidseg/intro/visual_alignment.hpp"
#include "vidseg/media/audio_reader.hpp"

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

constexpr double kReferenceAudioMargin = 2.5;  // seconds of source audio kept around the intro
constexpr double kReferenceFrameMargin = 2.0;  // seconds of frames kept around each boundary
constexpr double kVisualMargin = 2.0;          // seconds of visual slots kept around the intro

// A run of an episode with a variant, clipped to the variant's intro: the interval in the episode,
// agreeing items / slots, and offset = episode time - reference clip time.
struct Match {
    Interval interval;
    int matched_items = 0;
    double offset = 0;
    int evidence = 0;  // 1 = audio, 2 = pictures
};

Match clipped(const AlignedRun& run, const Interval& intro, double to_reference) {
    const double cut_start = std::max(0.0, intro.start - run.b.start);
    const double cut_end = std::max(0.0, run.b.end - intro.end);
    return {{run.a.start + cut_start, run.a.end - cut_end}, run.matched_items, run.offset - to_reference, 0};
}

// Audio runs; to_reference = reference time - audio time of the same moment.
std::vector<Match> match_variant(const IntroVariant& v, const AudioFingerprint& audio, const AlignmentOptions& align) {
    std::vector<Match> out;
    if (v.audio.items.empty() || audio.items.empty()) return out;
    const double to_reference = v.reference.intro.start - v.intro.start;
    for (const auto& run : align_episodes(audio, v.audio, align)) {
        Match m = clipped(run, v.intro, to_reference);
        m.evidence = 1;
        if (m.interval.length() > 0) out.push_back(m);
    }
    return out;
}

std::vector<Match> match_variant_visual(const IntroVariant& v, const VisualFingerprint& visual, double min_length) {
    std::vector<Match> out;
    if (v.visual.hashes.empty() || visual.hashes.empty()) return out;
    VisualAlignmentOptions align;
    align.min_length = min_length;
    const double to_reference = v.reference.intro.start - v.visual_intro.start;
    for (const auto& run : align_visual(visual, v.visual, align)) {
        // Pictures that keep matching well past both ends of the intro (the same test pattern or
        // footage at the same time in every file) are not the intro: the source's own content
        // around its intro differs from the new episode's.
        const bool past_end = run.b.end >= v.visual_intro.end + 1.0 && v.visual.duration >= v.visual_intro.end + 1.0;
        const bool past_start = run.b.start <= v.visual_intro.start - 1.0 || v.visual_intro.start < 1.0;
        if (past_end && past_start) continue;
        Match m = clipped(run, v.visual_intro, to_reference);
        m.evidence = 2;
        if (m.interval.length() > 0) out.push_back(m);
    }
    return out;
}

// Audio and visual runs of one variant fused: a visual run at the offset of an audio run (0.5 s)
// widens it (speech over the start or end of the intro hides that part from the sound).
std::vector<Match> fuse(std::vector<Match> audio, const std::vector<Match>& visual) {
    std::vector<bool> used(visual.size(), false);
    for (auto& a : audio)
        for (std::size_t k = 0; k < visual.size(); ++k) {
            const auto& v = visual[k];
            if (std::abs(v.offset - a.offset) > 0.5 || overlap(v.interval, a.interval) <= 0) continue;
            used[k] = true;
            a.evidence |= 2;
            a.interval = {std::min(a.interval.start, v.interval.start), std::max(a.interval.end, v.interval.end)};
        }
    for (std::size_t k = 0; k < visual.size(); ++k) {
        if (used[k]) continue;
        const bool clash = std::any_of(audio.begin(), audio.end(),
                                       [&](const Match& a) { return overlap(a.interval, visual[k].interval) > 0; });
        if (!clash) audio.push_back(visual[k]);
    }
    return audio;
}

// Base64 (RFC 4648) of the reference audio as s16le.
constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string samples_to_base64(const std::vector<float>& samples) {
    std::vector<unsigned char> bytes;
    bytes.reserve(samples.size() * 2);
    for (float x : samples) {
        const int v = int(std::lround(std::clamp(x, -1.0f, 1.0f) * 32767.0f));
        const auto u = static_cast<uint16_t>(int16_t(v));
        bytes.push_back(static_cast<unsigned char>(u & 0xff));
        bytes.push_back(static_cast<unsigned char>(u >> 8));
    }
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const uint32_t b0 = bytes[i], b1 = i + 1 < bytes.size() ? bytes[i + 1] : 0, b2 = i + 2 < bytes.size() ? bytes[i + 2] : 0;
        const uint32_t triple = (b0 << 16) | (b1 << 8) | b2;
        out += kBase64[(triple >> 18) & 63];
        out += kBase64[(triple >> 12) & 63];
        out += i + 1 < bytes.size() ? kBase64[(triple >> 6) & 63] : '=';
        out += i + 2 < bytes.size() ? kBase64[triple & 63] : '=';
    }
    return out;
}

std::optional<std::vector<float>> samples_from_base64(const std::string& text) {
    if (text.size() % 4) return std::nullopt;
    int value[256];
    std::fill(std::begin(value), std::end(value), -1);
    for (int k = 0; k < 64; ++k) value[static_cast<unsigned char>(kBase64[k])] = k;
    std::vector<unsigned char> bytes;
    bytes.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        uint32_t triple = 0;
        int pad = 0;
        for (int k = 0; k < 4; ++k) {
            const unsigned char c = static_cast<unsigned char>(text[i + std::size_t(k)]);
            if (c == '=' && i + 4 == text.size() && k >= 2) {
                ++pad;
                triple <<= 6;
                continue;
            }
            if (value[c] < 0 || pad) return std::nullopt;
            triple = (triple << 6) | uint32_t(value[c]);
        }
        bytes.push_back(static_cast<unsigned char>(triple >> 16));
        if (pad < 2) bytes.push_back(static_cast<unsigned char>(triple >> 8));
        if (pad < 1) bytes.push_back(static_cast<unsigned char>(triple));
    }
    if (bytes.size() % 2) return std::nullopt;
    std::vector<float> out(bytes.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = float(int16_t(uint16_t(bytes[2 * i] | (bytes[2 * i + 1] << 8)))) / 32767.0f;
    return out;
}

std::string hex64(uint64_t h) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

std::optional<uint64_t> parse_hex64(const json& j) {
    if (!j.is_string() || j.get<std::string>().size() != 16) return std::nullopt;
    uint64_t h = 0;
    for (char c : j.get<std::string>()) {
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return std::nullopt;
        h = (h << 4) | uint64_t(d);
    }
    return h;
}

// A clip's frames within +-2 s of a boundary, as refine_visual_boundary wants them.
std::vector<FrameHash> frame_hashes_of(const std::vector<CueFrame>& frames) {
    std::vector<FrameHash> out;
    for (const auto& f : frames) out.push_back({f.time, f.hash});
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

void cut_visual(IntroVariant& v, const VisualFingerprint& fp, const Interval& intro) {
    v.visual = VisualFingerprint{};
    v.visual.period = fp.period;
    if (fp.hashes.empty() || !(fp.period > 0)) return;
    const long n = long(fp.hashes.size());
    const long first = std::clamp(long(std::floor((intro.start - kVisualMargin) / fp.period)), 0L, n - 1);
    const long last = std::clamp(long(std::ceil((intro.end + kVisualMargin) / fp.period)), first, n - 1);
    v.visual.hashes.assign(fp.hashes.begin() + first, fp.hashes.begin() + last + 1);
    if (fp.luma.size() == fp.hashes.size()) v.visual.luma.assign(fp.luma.begin() + first, fp.luma.begin() + last + 1);
    v.visual.duration = double(last - first + 1) * fp.period;
    v.visual_intro = {intro.start - double(first) * fp.period, intro.end - double(first) * fp.period};
}

ReferenceClip read_reference_clip(const std::string& path, const Interval& intro, bool audio, bool video) {
    ReferenceClip clip;
    clip.origin = std::max(0.0, intro.start - kReferenceAudioMargin);
    clip.intro = {intro.start - clip.origin, intro.end - clip.origin};
    if (audio) try {
            const media::AudioFormat format{.sample_rate = kFingerprintSampleRate, .channels = 1};
            clip.samples = media::read_audio(path, format, clip.origin, intro.end + kReferenceAudioMargin);
        } catch (const Error& e) {
            if (e.code() == ErrorCode::Interrupted || e.code() == ErrorCode::Internal) throw;
        }
    if (video) {
        // Both boundaries' windows (one window when they are close).
        std::vector<std::pair<double, double>> spans = {{intro.start - kReferenceFrameMargin, intro.start + kReferenceFrameMargin},
                                                        {intro.end - kReferenceFrameMargin, intro.end + kReferenceFrameMargin}};
        if (spans[1].first <= spans[0].second) spans = {{spans[0].first, spans[1].second}};
        for (const auto& [from, to] : spans) {
            try {
                const auto window = decode_cue_window(path, std::max(0.0, from), to);
                for (auto f : window.frames) {
                    f.time -= clip.origin;
                    clip.frames.push_back(f);
                }
            } catch (const Error& e) {
                if (e.code() == ErrorCode::Interrupted || e.code() == ErrorCode::Internal) throw;
            }
        }
    }
    return clip;
}

IntroLibrary build_intro_library(const SeriesDetection& season, const IntroDetectOptions& options, bool read_files) {
    IntroLibrary lib;
    lib.fingerprint_parameters = fingerprint_parameters(fingerprint_options_for_detection(options));
    lib.max_start = options.max_start;
    lib.min_length = options.min_length;
    lib.max_length = options.max_length;

    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < season.detections.size(); ++i) {
        const auto& d = season.detections[i];
        const auto& fp = season.episodes[i].fingerprints;
        if (d.error.empty() && d.intro && ((fp.has_audio && !fp.audio.items.empty()) || (fp.has_video && !fp.visual.hashes.empty())))
            order.push_back(i);
    }
    // Occurrences confirmed by sound first (speech dubbed over an intro spoils its audio as a
    // reference), then the longest: the full intro becomes a variant's fingerprint, shortened ones join it.
    auto by_sound = [&](std::size_t i) {
        const auto& m = season.detections[i].matches;
        const auto audio = std::count_if(m.begin(), m.end(), [](const IntroMatch& x) { return (x.evidence & 1) != 0; });
        return m.empty() ? true : 2 * std::size_t(audio) >= m.size();
    };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
        if (by_sound(x) != by_sound(y)) return by_sound(x);
        return season.detections[x].intro->length() > season.detections[y].intro->length();
    });
    AlignmentOptions align = options.alignment;
    align.min_length = options.min_length;
    std::map<int, std::size_t> variant_of_detection;  // IntroDetection::variant -> index in lib.variants
    std::vector<std::size_t> source;                  // per variant: the episode it is cut from
    std::vector<std::size_t> first;                   // per variant: its earliest episode in the season
    for (std::size_t i : order) {
        const auto& d = season.detections[i];
        const auto& fp = season.episodes[i].fingerprints;
        const Interval intro = *d.intro;
        const IntroOccurrence occurrence{fs::path(d.episode).filename().string(), intro};
        IntroVariant candidate = cut_variant(fp.has_audio ? fp.audio : AudioFingerprint{}, intro);
        IntroVariant* joined = nullptr;
        if (d.variant >= 0) {
            if (auto it = variant_of_detection.find(d.variant); it != variant_of_detection.end()) joined = &lib.variants[it->second];
        } else {
            for (auto& v : lib.variants) {
                for (const auto& m : match_variant(v, candidate.audio, align)) {
                    // In candidate's timeline (offsets do not matter here): it must cover half of its intro.
                    const Interval in_candidate = m.interval;
                    if (overlap(in_candidate, candidate.intro) >= 0.5 * std::min(candidate.intro.length(), v.length)) {
                        joined = &v;
                        break;
                    }
                }
                if (joined) break;
            }
        }
        if (joined) {
            joined->episodes.push_back(occurrence);
            auto& f = first[std::size_t(joined - lib.variants.data())];
            f = std::min(f, i);
            continue;
        }
        candidate.id = int(lib.variants.size());
        candidate.length = intro.length();
        if (fp.has_video) cut_visual(candidate, fp.visual, intro);
        candidate.reference.origin = std::max(0.0, intro.start - kReferenceAudioMargin);
        candidate.reference.intro = {intro.start - candidate.reference.origin, intro.end - candidate.reference.origin};
        candidate.episodes.push_back(occurrence);
        if (d.variant >= 0) variant_of_detection[d.variant] = lib.variants.size();
        lib.variants.push_back(std::move(candidate));
        source.push_back(i);
        first.push_back(i);
    }
    // Ids in season order (the variant of the earliest episode is 0), as season detection numbers them.
    std::vector<std::size_t> rank(lib.variants.size());
    std::iota(rank.begin(), rank.end(), std::size_t{0});
    std::stable_sort(rank.begin(), rank.end(), [&](std::size_t x, std::size_t y) { return first[x] < first[y]; });
    std::vector<IntroVariant> ordered;
    std::vector<std::size_t> ordered_source;
    for (std::size_t k : rank) {
        ordered.push_back(std::move(lib.variants[k]));
        ordered.back().id = int(ordered.size() - 1);
        ordered_source.push_back(source[k]);
    }
    lib.variants = std::move(ordered);
    source = std::move(ordered_source);
    // Each variant's episodes in season order too.
    std::map<std::string, std::size_t> position;
    for (std::size_t i = season.detections.size(); i-- > 0;)
        position[fs::path(season.detections[i].episode).filename().string()] = i;
    for (auto& v : lib.variants)
        std::stable_sort(v.episodes.begin(), v.episodes.end(), [&](const IntroOccurrence& x, const IntroOccurrence& y) {
            return position[x.episode] < position[y.episode];
        });
    if (read_files)
        for (std::size_t k = 0; k < lib.variants.size(); ++k) {
            const std::size_t i = source[k];
            const auto& fp = season.episodes[i].fingerprints;
            lib.variants[k].reference = read_reference_clip(season.episodes[i].path, *season.detections[i].intro,
                                                            fp.has_audio, fp.has_video);
        }
    return lib;
}

json intro_library_to_json(const IntroLibrary& lib) {
    json variants = json::array();
    for (const auto& v : lib.variants) {
        json eps = json::array();
        for (const auto& e : v.episodes) eps.push_back({{"episode", e.episode}, {"intro", interval_json(e.intro)}});
        json visual = nullptr;
        if (!v.visual.hashes.empty()) {
            json hashes = json::array();
            for (uint64_t h : v.visual.hashes) hashes.push_back(hex64(h));
            visual = {{"period", v.visual.period}, {"intro", interval_json(v.visual_intro)}, {"hashes", std::move(hashes)},
                      {"luma", v.visual.luma}};
        }
        json frames = json::array();
        for (const auto& f : v.reference.frames)
            frames.push_back(json::array({f.time, hex64(f.hash), int(std::lround(std::clamp(f.luma, 0.0, 255.0))),
                                          std::round(f.spread * 10) / 10}));
        variants.push_back({{"id", v.id},
                            {"length", v.length},
                            {"intro", interval_json(v.intro)},
                            {"audio_items", v.audio.items},
                            {"audio_levels", v.audio.levels},
                            {"visual", std::move(visual)},
                            {"reference",
                             {{"origin", v.reference.origin},
                              {"intro", interval_json(v.reference.intro)},
                              {"sample_rate", kFingerprintSampleRate},
                              {"samples_s16", samples_to_base64(v.reference.samples)},
                              {"frames", std::move(frames)}}},
                            {"episodes", std::move(eps)}});
    }
    double period = AudioFingerprint{}.item_period, span = 0;
    for (const auto& v : lib.variants)
        if (!v.audio.items.empty()) {
            period = v.audio.item_period;
            span = v.audio.item_span;
            break;
        }
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
                        std::to_string(kIntroLibraryVersion) +
                        (version < kIntroLibraryVersion ? ", which adds the pictures and a reference clip of each intro" : "") +
                        "); run `vidseg intro learn` again on the season",
                    subject);
    if (!doc.contains("fingerprint") || !doc["fingerprint"].is_object()) bad(subject, "\"fingerprint\" is missing");
    const json& f = doc["fingerprint"];
    if (f.value("audio", "") != "chromaprint" || !json_integer_is(f, "sample_rate", kFingerprintSampleRate))
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
        if (!items.is_array()) bad(subject, where + "\"audio_items\" must be an array");
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
        v.audio.duration = v.audio.items.empty() ? 0.0 : double(v.audio.items.size()) * period + span;
        const json visual = jv.value("visual", json());
        if (!visual.is_null()) {
            if (!visual.is_object()) bad(subject, where + "\"visual\" must be an object or null");
            v.visual.period = number_from(visual, "period", subject, where + "visual: ");
            if (!(v.visual.period > 0)) bad(subject, where + "visual: \"period\" must be > 0");
            v.visual_intro = interval_from(visual.value("intro", json()), subject, where + "visual \"intro\"");
            const json hashes = visual.value("hashes", json());
            if (!hashes.is_array()) bad(subject, where + "visual: \"hashes\" must be an array");
            for (const auto& h : hashes) {
                const auto value = parse_hex64(h);
                if (!value) bad(subject, where + "visual: \"hashes\" must hold 16-digit hex strings");
                v.visual.hashes.push_back(*value);
            }
            const json luma = visual.value("luma", json::array());
            if (!luma.is_array() || (!luma.empty() && luma.size() != hashes.size()))
                bad(subject, where + "visual: \"luma\" must be empty or hold one value per hash");
            for (const auto& l : luma) {
                if (!l.is_number_unsigned() || l.get<unsigned>() > 255) bad(subject, where + "visual: \"luma\" must be 0..255");
                v.visual.luma.push_back(l.get<uint8_t>());
            }
            v.visual.duration = double(v.visual.hashes.size()) * v.visual.period;
        }
        if (v.audio.items.empty() && v.visual.hashes.empty())
            bad(subject, where + "it has neither \"audio_items\" nor \"visual\" hashes");
        const json ref = jv.value("reference", json());
        if (!ref.is_object()) bad(subject, where + "\"reference\" must be an object");
        v.reference.origin = number_from(ref, "origin", subject, where + "reference: ");
        v.reference.intro = interval_from(ref.value("intro", json()), subject, where + "reference \"intro\"");
        if (!json_integer_is(ref, "sample_rate", kFingerprintSampleRate))
            bad(subject, where + "reference: \"sample_rate\" must be " + std::to_string(kFingerprintSampleRate));
        const json samples = ref.value("samples_s16", json());
        if (!samples.is_string()) bad(subject, where + "reference: \"samples_s16\" must be a base64 string");
        auto decoded = samples_from_base64(samples.get<std::string>());
        if (!decoded) bad(subject, where + "reference: \"samples_s16\" is not base64 of 16-bit samples");
        v.reference.samples = std::move(*decoded);
        const json frames = ref.value("frames", json::array());
        if (!frames.is_array()) bad(subject, where + "reference: \"frames\" must be an array");
        for (const auto& jf : frames) {
            // [time, hash, luma, spread]; spread (luma standard deviation) may be left out (0).
            const auto hash = jf.is_array() && (jf.size() == 3 || jf.size() == 4) ? parse_hex64(jf[1]) : std::nullopt;
            if (!hash || !jf[0].is_number() || !jf[2].is_number() || (jf.size() == 4 && !jf[3].is_number()))
                bad(subject, where + "reference: \"frames\" entries must be [time, \"16 hex digits\", luma, spread]");
            CueFrame frame;
            frame.time = jf[0].get<double>();
            frame.hash = *hash;
            frame.luma = jf[2].get<double>();
            if (jf.size() == 4) frame.spread = jf[3].get<double>();
            v.reference.frames.push_back(frame);
        }
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
    const json doc = json::parse(read_limited_file(path), nullptr, false);
    if (doc.is_discarded()) throw Error(ErrorCode::InvalidData, "intro library is not valid JSON (corrupt?)", path.string());
    return intro_library_from_json(doc, path.string());
}

IntroDetection match_intro_library(const IntroLibrary& library, const std::string& episode,
                                   const EpisodeFingerprints& fp, const IntroDetectOptions& options) {
    IntroDetection best;
    best.episode = episode;
    best.no_audio = !fp.has_audio;
    best.no_video = !fp.has_video;
    AlignmentOptions align = options.alignment;
    align.min_length = options.min_length;
    std::optional<Match> top;
    std::size_t top_variant = 0;
    auto better = [](const Match& x, const Match& y) {
        const int bx = __builtin_popcount(unsigned(x.evidence)), by = __builtin_popcount(unsigned(y.evidence));
        if (bx != by) return bx > by;
        if (std::abs(x.interval.length() - y.interval.length()) > 0.25) return x.interval.length() > y.interval.length();
        return x.matched_items > y.matched_items;
    };
    for (std::size_t k = 0; k < library.variants.size(); ++k) {
        const auto& v = library.variants[k];
        const auto audio = fp.has_audio ? match_variant(v, fp.audio, align) : std::vector<Match>{};
        const auto visual = fp.has_video ? match_variant_visual(v, fp.visual, options.min_length) : std::vector<Match>{};
        for (const auto& m : fuse(audio, visual)) {
            if (m.interval.length() < options.min_length || m.interval.length() > options.max_length ||
                m.interval.start > options.max_start)
                continue;
            if (!top || better(m, *top)) {
                top = m;
                top_variant = k;
            }
        }
    }
    if (!top) return best;
    const auto& v = library.variants[top_variant];
    best.intro = Interval{std::max(0.0, top->interval.start), top->interval.end};
    best.variant = v.id;
    best.confidence = v.length > 0 ? std::min(1.0, top->interval.length() / v.length) : 0;
    best.confirmations = int(v.episodes.size());
    best.matches.push_back({top_variant, top->offset, top->evidence});
    if (best.confidence < options.min_confidence) {
        best.intro.reset();
        best.variant = -1;
        best.matches.clear();
    }
    return best;
}

IntroDetection match_intro_library(const IntroLibrary& library, const std::string& episode,
                                   const AudioFingerprint& audio, const IntroDetectOptions& options) {
    EpisodeFingerprints fp;
    fp.audio = audio;
    fp.has_audio = true;
    fp.duration = audio.duration;
    return match_intro_library(library, episode, fp, options);
}

void refine_library_match(const IntroLibrary& library, const std::string& path, const EpisodeFingerprints& fp,
                          IntroDetection& d, const IntroDetectOptions& options, const RefineOptions& refine) {
    if (!d.intro || d.matches.empty() || d.matches[0].partner >= library.variants.size()) return;
    const auto& ref = library.variants[d.matches[0].partner].reference;
    const double offset = d.matches[0].offset;  // episode time - reference clip time
    const Interval coarse = *d.intro;
    std::optional<double> start, end;
    // 1. Sample-level audio, as against a partner episode (boundary_refiner.hpp).
    if (fp.has_audio && !ref.samples.empty()) try {
            const double margin = refine.search + 0.5;
            const double a_start = std::max(0.0, coarse.start - margin);
            const media::AudioFormat format{.sample_rate = kFingerprintSampleRate, .channels = 1};
            const auto a = media::read_audio(path, format, a_start, coarse.end + margin);
            const auto est = refine_with_samples(a, a_start, ref.samples, 0.0, coarse, offset, refine);
            if (est.start_found) start = est.start;
            if (est.end_found) end = est.end;
        } catch (const Error& e) {
            if (e.code() == ErrorCode::Interrupted || e.code() == ErrorCode::Internal) throw;
        }
    // 2. Frame by frame where the sound cannot tell (speech over it, silence, no audio).
    if ((!start || !end) && fp.has_video && !ref.frames.empty()) {
        const auto reference_frames = frame_hashes_of(ref.frames);
        constexpr double kSearch = 0.6;  // as refine_intro_boundaries
        try {
            if (!start && coarse.start >= 0.3)
                start = refine_visual_boundary(frame_hashes(path, coarse.start - kSearch, coarse.start + kSearch),
                                               reference_frames, coarse.start, true, offset);
            if (!end)
                end = refine_visual_boundary(frame_hashes(path, coarse.end - kSearch, coarse.end + kSearch),
                                             reference_frames, coarse.end, false, offset);
        } catch (const Error& e) {
            if (e.code() == ErrorCode::Interrupted || e.code() == ErrorCode::Internal) throw;
        }
    }
    if (start) d.intro->start = std::max(0.0, *start);
    else if (coarse.start < 0.3) d.intro->start = 0;
    if (end) d.intro->end = *end;
    if (d.intro->length() <= 0) d.intro = coarse;
    // 3. Editing marks (shot cuts, black frames, silence) that agree with the reference's pictures.
    if (options.cues) try {
            // As snap_intro_boundaries, with the reference clip as the one partner.
            const CueOptions cue_options;
            const double half = cue_options.tolerance + cue_options.match_span + 0.5;
            CueWindow reference;
            reference.from = 0;
            reference.to = ref.intro.end + kReferenceAudioMargin;
            reference.frames = ref.frames;
            reference.audio = ref.samples;
            const Interval aligned = *d.intro;
            for (const bool is_start : {true, false}) {
                const double boundary = is_start ? aligned.start : aligned.end;
                if (is_start && boundary < 0.3) continue;  // nothing before an intro at the very start
                const auto own = decode_cue_window(path, boundary - half, boundary + half, cue_options);
                const auto snap = snap_boundary(own, boundary, is_start, {CuePartner{&reference, offset}}, cue_options);
                (is_start ? d.intro->start : d.intro->end) = snap.time;
                (is_start ? d.start_cue : d.end_cue) = snap.cue;
            }
            d.aligned = aligned;
            if (d.intro->length() <= 0) {
                d.intro = aligned;
                d.start_cue = d.end_cue = BoundaryCue::None;
            }
        } catch (const Error& e) {
            if (e.code() == ErrorCode::Interrupted || e.code() == ErrorCode::Internal) throw;
        }
}

}  // namespace vidseg::intro
