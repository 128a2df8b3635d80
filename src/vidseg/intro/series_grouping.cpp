#include "vidseg/intro/series_grouping.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <numeric>
#include <sstream>
#include <sys/stat.h>
#include <thread>

#include <nlohmann/json.hpp>

#include "vidseg/core/cancel.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/intro/boundary_refiner.hpp"
#include "vidseg/intro/episode_alignment.hpp"

namespace vidseg::intro {

namespace {

std::size_t find_root(std::vector<std::size_t>& parent, std::size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
}

// Bump when the cached form of detections changes.
constexpr int kDetectionResultVersion = 1;

std::string detection_parameters(const IntroDetectOptions& o) {
    std::ostringstream s;
    s.precision(17);
    s << "detection=" << kDetectionResultVersion << ";max_start=" << o.max_start << ";min_length=" << o.min_length
      << ";max_length=" << o.max_length << ";min_confidence=" << o.min_confidence << ";refine=" << o.refine
      << ";bits=" << o.alignment.max_bit_errors << ";gap=" << o.alignment.max_gap
      << ";offsets=" << o.alignment.max_offsets << ";items=" << o.alignment.min_items
      << ";mean_bits=" << o.alignment.max_mean_bit_errors << ";vfps=" << o.visual.fps
      << ";vwidth=" << o.visual.decode_width;
    struct stat st {};
    if (::stat("/proc/self/exe", &st) == 0)
        s << ";exe=" << st.st_size << "@" << st.st_mtim.tv_sec << "." << st.st_mtim.tv_nsec;
    return s.str();
}

uint64_t result_key(const std::vector<std::size_t>& members, const std::vector<FingerprintedEpisode>& all,
                    const IntroDetectOptions& options) {
    std::string bytes = detection_parameters(options);
    for (std::size_t i : members) {
        if (all[i].cache_key == 0) return 0;
        bytes.append(reinterpret_cast<const char*>(&all[i].cache_key), sizeof(uint64_t));
    }
    return hash_bytes(bytes.data(), bytes.size(), 0x726573756c74ULL);
}

nlohmann::json detections_json(const std::vector<IntroDetection>& found) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& d : found)
        out.push_back({{"intro", d.intro ? nlohmann::json::array({d.intro->start, d.intro->end}) : nlohmann::json()},
                       {"confidence", d.confidence},
                       {"confirmations", d.confirmations},
                       {"variant", d.variant}});
    return out;
}

// Cached detections of a series, or nullopt (with the reason) when the text is not what we wrote.
std::optional<std::vector<IntroDetection>> detections_from(const std::string& text, std::size_t count,
                                                           std::string& why) {
    const auto doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || doc.value("version", 0) != kDetectionResultVersion ||
        !doc.contains("detections") || !doc["detections"].is_array() || doc["detections"].size() != count) {
        why = "not a detection result of this version";
        return std::nullopt;
    }
    std::vector<IntroDetection> out;
    try {
        for (const auto& j : doc["detections"]) {
            IntroDetection d;
            if (!j.at("intro").is_null()) d.intro = timeline::Interval{j["intro"].at(0).get<double>(), j["intro"].at(1).get<double>()};
            d.confidence = j.at("confidence").get<double>();
            d.confirmations = j.at("confirmations").get<int>();
            d.variant = j.at("variant").get<int>();
            out.push_back(std::move(d));
        }
    } catch (const nlohmann::json::exception& e) {
        why = std::string("malformed: ") + e.what();
        return std::nullopt;
    }
    return out;
}

// Detection inside one series (indices into `all`); results go to out[index].
void detect_series(const std::vector<std::size_t>& members, const std::vector<FingerprintedEpisode>& all,
                   const IntroDetectOptions& options, FingerprintCache* cache, Progress* progress,
                   std::vector<IntroDetection>& out) {
    auto place = [&](std::vector<IntroDetection> found) {
        for (std::size_t k = 0; k < members.size(); ++k) {
            found[k].episode = all[members[k]].path;
            found[k].no_audio = !all[members[k]].fingerprints.has_audio;
            found[k].no_video = !all[members[k]].fingerprints.has_video;
            out[members[k]] = std::move(found[k]);
        }
    };
    const uint64_t key = cache ? result_key(members, all, options) : 0;
    if (key != 0) {
        if (const auto text = cache->load_result(key)) {
            std::string why;
            if (auto cached = detections_from(*text, members.size(), why)) return place(std::move(*cached));
            cache->reject_result(key, why);
        }
    }
    std::vector<std::string> ids;
    std::vector<EpisodeFingerprints> fps;
    for (std::size_t i : members) {
        ids.push_back(all[i].path);
        fps.push_back(all[i].fingerprints);
    }
    auto found = detect_intros_from_fingerprints(ids, fps, options, progress);
    if (options.refine) refine_intro_boundaries(ids, fps, found, options, progress);
    if (key != 0)
        cache->store_result(key, nlohmann::json{{"version", kDetectionResultVersion}, {"detections", detections_json(found)}}.dump() + "\n");
    place(std::move(found));
}

}  // namespace

FingerprintOptions fingerprint_options_for_detection(const IntroDetectOptions& options) {
    FingerprintOptions fo;
    fo.seconds = options.max_start + options.max_length;
    fo.visual = options.visual;
    return fo;
}

std::vector<FingerprintedEpisode> fingerprint_episodes(const std::vector<std::string>& paths,
                                                       const IntroDetectOptions& options, FingerprintCache* cache,
                                                       Progress* progress) {
    std::vector<FingerprintedEpisode> out(paths.size());
    for (std::size_t i = 0; i < paths.size(); ++i) out[i].path = paths[i];
    const FingerprintOptions fo = fingerprint_options_for_detection(options);
    std::atomic<std::size_t> next{0};
    std::mutex mutex;
    std::exception_ptr fatal;
    std::size_t done = 0;
    if (progress) progress->begin("Fingerprinting episodes", double(paths.size()));
    auto worker = [&] {
        for (;;) {
            const std::size_t i = next++;
            if (i >= paths.size()) return;
            {
                std::lock_guard lock(mutex);
                if (fatal) return;
            }
            try {
                throw_if_cancelled();
                out[i].fingerprints = fingerprint_episode_cached(paths[i], fo, cache, nullptr, &out[i].cache_key);
            } catch (const Error& e) {
                if (e.code() == ErrorCode::Interrupted || e.code() == ErrorCode::Internal) {
                    std::lock_guard lock(mutex);
                    if (!fatal) fatal = std::current_exception();
                    return;
                }
                out[i].error = e.cause().empty() ? e.what() : e.cause();
            } catch (...) {
                std::lock_guard lock(mutex);
                if (!fatal) fatal = std::current_exception();
                return;
            }
            std::lock_guard lock(mutex);
            if (progress) progress->update(double(++done));
        }
    };
    // As detect_intros: each episode decodes audio and video on two threads of its own.
    const int threads = std::clamp(options.threads / 2, 1, int(std::max<std::size_t>(1, paths.size())));
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    if (progress) progress->end();
    if (fatal) std::rethrow_exception(fatal);
    return out;
}

std::vector<std::vector<std::size_t>> group_by_shared_audio(const std::vector<const AudioFingerprint*>& audio,
                                                            const IntroDetectOptions& options, Progress* progress) {
    const std::size_t n = audio.size();
    std::vector<std::size_t> parent(n);
    std::iota(parent.begin(), parent.end(), std::size_t{0});
    AlignmentOptions align = options.alignment;
    align.min_length = options.min_length;
    if (progress) progress->begin("Grouping episodes by series", double(n * (n ? n - 1 : 0) / 2));
    double done = 0;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) {
            throw_if_cancelled();
            if (progress) progress->update(++done);
            // Already connected through others: the pair adds nothing to the components.
            if (find_root(parent, i) == find_root(parent, j)) continue;
            for (const auto& run : align_episodes(*audio[i], *audio[j], align)) {
                if (run.a.length() < options.min_length || run.a.start > options.max_start ||
                    run.b.start > options.max_start)
                    continue;
                parent[find_root(parent, i)] = find_root(parent, j);
                break;
            }
        }
    if (progress) progress->end();
    std::vector<std::vector<std::size_t>> groups;
    std::vector<long> group_of_root(n, -1);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t r = find_root(parent, i);
        if (group_of_root[r] < 0) {
            group_of_root[r] = long(groups.size());
            groups.emplace_back();
        }
        groups[std::size_t(group_of_root[r])].push_back(i);
    }
    return groups;
}

namespace {

// The key of a whole run: every episode's fingerprint entry key, in order (0 when a file cannot even
// be read for its content key: such runs are not cached as a whole).
uint64_t run_key(const std::vector<std::string>& episodes, const IntroDetectOptions& options) {
    const std::string params = fingerprint_parameters(fingerprint_options_for_detection(options));
    std::string bytes = "run;" + detection_parameters(options);
    for (const auto& path : episodes) {
        uint64_t key = 0;
        try {
            key = FingerprintCache::entry_key(file_content_key(path), params);
        } catch (const Error&) {
            return 0;
        }
        bytes.append(reinterpret_cast<const char*>(&key), sizeof key);
    }
    return hash_bytes(bytes.data(), bytes.size(), 0x72756eULL);
}

std::string run_json(const SeriesDetection& r) {
    nlohmann::json eps = nlohmann::json::array();
    const auto dets = detections_json(r.detections);
    for (std::size_t i = 0; i < r.detections.size(); ++i) {
        const auto& d = r.detections[i];
        auto e = dets[i];
        e["error"] = d.error;
        e["no_audio"] = d.no_audio;
        e["no_video"] = d.no_video;
        e["reason"] = r.reasons[i];
        e["series"] = r.series_of[i];
        eps.push_back(std::move(e));
    }
    return nlohmann::json{{"version", kDetectionResultVersion}, {"episodes", eps}, {"series", r.series}}.dump() + "\n";
}

std::optional<SeriesDetection> run_from(const std::string& text, const std::vector<std::string>& episodes,
                                        std::string& why) {
    const auto doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || doc.value("version", 0) != kDetectionResultVersion ||
        !doc.contains("episodes") || !doc["episodes"].is_array() || doc["episodes"].size() != episodes.size()) {
        why = "not a detection result of this version";
        return std::nullopt;
    }
    auto dets = detections_from(nlohmann::json{{"version", kDetectionResultVersion}, {"detections", doc["episodes"]}}.dump(),
                                episodes.size(), why);
    if (!dets) return std::nullopt;
    SeriesDetection r;
    try {
        r.series = doc.at("series").get<std::vector<std::vector<std::size_t>>>();
        for (std::size_t i = 0; i < episodes.size(); ++i) {
            const auto& e = doc["episodes"][i];
            auto& d = (*dets)[i];
            d.episode = episodes[i];
            d.error = e.at("error").get<std::string>();
            d.no_audio = e.at("no_audio").get<bool>();
            d.no_video = e.at("no_video").get<bool>();
            r.reasons.push_back(e.at("reason").get<std::string>());
            r.series_of.push_back(e.at("series").get<int>());
            r.episodes.push_back({episodes[i], {}, d.error, 0});
        }
    } catch (const nlohmann::json::exception& e) {
        why = std::string("malformed: ") + e.what();
        return std::nullopt;
    }
    for (const auto& g : r.series)
        for (std::size_t i : g)
            if (i >= episodes.size()) {
                why = "series member out of range";
                return std::nullopt;
            }
    r.detections = std::move(*dets);
    return r;
}

}  // namespace

SeriesDetection detect_intros_by_series(const std::vector<std::string>& episodes, const IntroDetectOptions& options,
                                        FingerprintCache* cache, Progress* progress, bool need_fingerprints) {
    if (episodes.size() < 2)
        throw Error(ErrorCode::InvalidArgument,
                    "intro detection needs at least two episodes of a series (got " +
                        std::to_string(episodes.size()) + ")");
    const uint64_t whole = cache && !need_fingerprints ? run_key(episodes, options) : 0;
    if (whole != 0) {
        if (const auto text = cache->load_result(whole)) {
            std::string why;
            if (auto cached = run_from(*text, episodes, why)) return std::move(*cached);
            cache->reject_result(whole, why);
        }
    }
    SeriesDetection result;
    const std::size_t n = episodes.size();
    result.detections.resize(n);
    result.series_of.assign(n, -1);
    result.reasons.resize(n);
    result.episodes = fingerprint_episodes(episodes, options, cache, progress);

    std::vector<std::size_t> with_audio, without_audio;
    for (std::size_t i = 0; i < n; ++i) {
        auto& d = result.detections[i];
        const auto& e = result.episodes[i];
        d.episode = episodes[i];
        if (!e.error.empty()) {
            d.error = e.error;
            d.no_audio = e.error.find("no audio stream") != std::string::npos;
            continue;
        }
        d.no_audio = !e.fingerprints.has_audio;
        d.no_video = !e.fingerprints.has_video;
        (e.fingerprints.has_audio && !e.fingerprints.audio.items.empty() ? with_audio : without_audio).push_back(i);
    }

    std::vector<const AudioFingerprint*> audio;
    for (std::size_t i : with_audio) audio.push_back(&result.episodes[i].fingerprints.audio);
    std::vector<std::vector<std::size_t>> series, singletons;
    for (auto& g : group_by_shared_audio(audio, options, progress)) {
        for (auto& k : g) k = with_audio[k];
        (g.size() >= 2 ? series : singletons).push_back(std::move(g));
    }

    if (series.empty()) {
        // No two episodes share audio: compare everything readable as one series (pictures may match).
        std::vector<std::size_t> all;
        for (std::size_t i = 0; i < n; ++i)
            if (result.episodes[i].error.empty()) all.push_back(i);
        if (all.size() >= 2) series.push_back(std::move(all));
        singletons.clear();
    } else if (series.size() == 1) {
        series[0].insert(series[0].end(), without_audio.begin(), without_audio.end());
        std::sort(series[0].begin(), series[0].end());
    } else {
        for (std::size_t i : without_audio)
            result.reasons[i] = "has no audio, and the folder holds episodes of " + std::to_string(series.size()) +
                                " series: cannot tell which one it belongs to";
    }
    for (const auto& g : singletons)
        result.reasons[g[0]] =
            "shares no audio with any other episode given (another series, or its intro is missing)";

    std::sort(series.begin(), series.end());
    for (std::size_t s = 0; s < series.size(); ++s) {
        for (std::size_t i : series[s]) result.series_of[i] = int(s);
        detect_series(series[s], result.episodes, options, cache, progress, result.detections);
    }
    result.series = std::move(series);
    if (whole != 0) cache->store_result(whole, run_json(result));
    return result;
}

}  // namespace vidseg::intro
