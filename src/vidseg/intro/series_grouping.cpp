#include "vidseg/intro/series_grouping.hpp"

#include "vidseg/intro/series_detection_cache.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>
#include <exception>
#include <mutex>
#include <numeric>
#include <sstream>
#include <sys/stat.h>
#include <thread>

#include <nlohmann/json.hpp>

#include "vidseg/core/cancel.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/json_numbers.hpp"
#include "vidseg/core/messages.hpp"
#include "vidseg/intro/boundary_refiner.hpp"
#include "vidseg/intro/episode_alignment.hpp"
#include "vidseg/intro/refinement_memo.hpp"
#include "vidseg/intro/visual_alignment.hpp"
#include "vidseg/media/probe.hpp"

namespace vidseg::intro {

namespace {

std::size_t find_root(std::vector<std::size_t>& parent, std::size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
}

// The connected components of a union-find forest, each sorted, ordered by their first index.
std::vector<std::vector<std::size_t>> components(std::vector<std::size_t>& parent) {
    const std::size_t n = parent.size();
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


std::string detection_parameters(const IntroDetectOptions& o) {
    std::ostringstream s;
    s.precision(17);
    s << "detection=" << kDetectionResultVersion << ";max_start=" << o.max_start << ";min_length=" << o.min_length
      << ";max_length=" << o.max_length << ";min_confidence=" << o.min_confidence << ";refine=" << o.refine
      << ";bits=" << o.alignment.max_bit_errors << ";gap=" << o.alignment.max_gap
      << ";offsets=" << o.alignment.max_offsets << ";items=" << o.alignment.min_items
      << ";mean_bits=" << o.alignment.max_mean_bit_errors << ";indexed=" << o.alignment.indexed_scan_min << ";vfps=" << o.visual.fps
      << ";vwidth=" << o.visual.decode_width << ";cues=" << o.cues;
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
                       {"variant", d.variant},
                       {"start_cue", boundary_cue_name(d.start_cue)},
                       {"end_cue", boundary_cue_name(d.end_cue)},
                       {"aligned", d.aligned ? nlohmann::json::array({d.aligned->start, d.aligned->end}) : nlohmann::json()},
                       {"recurring_audio", recurring_audio_json(d.recurring_audio)}});
    return out;
}

// Cached detections of a series, or nullopt (with the reason) when the text is not what we wrote.
std::optional<std::vector<IntroDetection>> detections_from(const std::string& text, std::size_t count,
                                                           std::string& why) {
    const auto doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !json_integer_is(doc, "version", kDetectionResultVersion) ||
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
            d.confirmations = json_integer<int>(j.at("confirmations"), "confirmations");
            d.variant = json_integer<int>(j.at("variant"), "variant");
            const auto start_cue = parse_boundary_cue(j.at("start_cue").get<std::string>());
            const auto end_cue = parse_boundary_cue(j.at("end_cue").get<std::string>());
            if (!start_cue || !end_cue) {
                why = "unknown boundary cue";
                return std::nullopt;
            }
            d.start_cue = *start_cue;
            d.end_cue = *end_cue;
            if (!j.at("aligned").is_null())
                d.aligned = timeline::Interval{j["aligned"].at(0).get<double>(), j["aligned"].at(1).get<double>()};
            d.recurring_audio = recurring_audio_from(j.at("recurring_audio"));
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
                   std::vector<IntroDetection>& out, PairAlignments* memo) {
    auto place = [&](std::vector<IntroDetection> found) {
        for (std::size_t k = 0; k < members.size(); ++k) {
            found[k].episode = all[members[k]].path;
            found[k].no_audio = !all[members[k]].fingerprints.has_audio;
            found[k].no_video = !all[members[k]].fingerprints.has_video;
            for (auto& r : found[k].recurring_audio)
                for (auto& p : r.partners) p = p < members.size() ? members[p] : p;
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
    auto found = detect_intros_from_fingerprints(ids, fps, options, progress, memo);
    if (options.refine) refine_intro_boundaries_memo(ids, fps, found, options, progress, memo ? &memo->refinements() : nullptr);
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
                                                       Progress* progress,
                                                       const std::vector<FingerprintedEpisode>* audio_pass) {
    std::vector<FingerprintedEpisode> out(paths.size());
    // An audio-only pass's fingerprint of the same file and span (the same computation: reused as is).
    auto known_audio = [&](std::size_t i) -> const AudioFingerprint* {
        if (!audio_pass || audio_pass->size() != paths.size()) return nullptr;
        const auto& e = (*audio_pass)[i];
        return e.path == paths[i] && e.error.empty() && e.fingerprints.has_audio ? &e.fingerprints.audio : nullptr;
    };
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
                FingerprintOptions episode_fo = fo;
                // The windows come from the audio pass's detections, which a re-run loads from the result
                // cache without its fingerprints: taken whether or not the audio is, so both runs decode
                // (and key their cache entries by) the same windows.
                if (audio_pass && audio_pass->size() == paths.size() && (*audio_pass)[i].path == paths[i])
                    episode_fo.video_windows = (*audio_pass)[i].picture_windows;
                out[i].fingerprints = fingerprint_episode_cached(paths[i], episode_fo, cache, nullptr,
                                                                 &out[i].cache_key, known_audio(i));
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
    const int threads = int(std::max<std::size_t>(1, episodes_at_once(options.threads, paths.size())));
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    if (progress) progress->end();
    if (fatal) std::rethrow_exception(fatal);
    return out;
}

std::vector<std::vector<std::size_t>> group_by_shared_audio(const std::vector<const AudioFingerprint*>& audio,
                                                            const IntroDetectOptions& options, Progress* progress,
                                                            PairAlignments* memo) {
    const std::size_t n = audio.size();
    std::vector<std::size_t> parent(n);
    std::iota(parent.begin(), parent.end(), std::size_t{0});
    AlignmentOptions align = options.alignment;
    align.min_length = options.min_length;
    // Long windows: one index of the whole season's sub-fingerprints instead of one per pair.
    if (memo) memo->index_season(audio);
    if (progress) progress->begin("Grouping episodes by series", double(n * (n ? n - 1 : 0) / 2));
    double done = 0;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) {
            throw_if_cancelled();
            if (progress) progress->update(++done);
            // Already connected through others: the pair adds nothing to the components.
            if (find_root(parent, i) == find_root(parent, j)) continue;
            for (const auto& run : memo ? memo->audio(*audio[i], *audio[j]) : align_episodes(*audio[i], *audio[j], align)) {
                if (run.a.length() < options.min_length || run.a.start > options.max_start ||
                    run.b.start > options.max_start)
                    continue;
                parent[find_root(parent, i)] = find_root(parent, j);
                break;
            }
        }
    if (progress) progress->end();
    return components(parent);
}

namespace {

double analysed_span(const EpisodeFingerprints& e) {
    return std::max(e.has_audio ? e.audio.duration : 0.0, e.has_video ? e.visual.duration : 0.0);
}

// Whether a and b show the same pictures somewhere an intro can be (see group_by_shared_content).
bool share_pictures(const EpisodeFingerprints& a, const EpisodeFingerprints& b, const IntroDetectOptions& options,
                    PairAlignments* memo) {
    VisualAlignmentOptions align;
    align.min_length = options.min_length;
    const double span_a = analysed_span(a), span_b = analysed_span(b);
    for (const auto& run : memo ? memo->visual(a.visual, b.visual) : align_visual(a.visual, b.visual, align)) {
        if (run.a.length() < options.min_length || run.a.start > options.max_start || run.b.start > options.max_start)
            continue;
        // Most of both files matching is a duplicate or a test pattern, not an intro (as the detector).
        if (run.a.length() >= 0.8 * span_a || run.b.length() >= 0.8 * span_b) continue;
        // A run cut by a decoding window is of unknown length (picture_windows.hpp): maybe most of both.
        if (a.visual.cut_by_window(run.a) || b.visual.cut_by_window(run.b)) continue;
        return true;
    }
    return false;
}

}  // namespace

std::vector<std::vector<std::size_t>> group_by_shared_content(const std::vector<const EpisodeFingerprints*>& fps,
                                                              const IntroDetectOptions& options, Progress* progress,
                                                              PairAlignments* memo) {
    const std::size_t n = fps.size();
    std::vector<std::size_t> with_audio;
    std::vector<const AudioFingerprint*> audio;
    for (std::size_t i = 0; i < n; ++i)
        if (fps[i] && fps[i]->has_audio && !fps[i]->audio.items.empty()) {
            with_audio.push_back(i);
            audio.push_back(&fps[i]->audio);
        }
    std::vector<std::size_t> parent(n);
    std::iota(parent.begin(), parent.end(), std::size_t{0});
    std::vector<bool> linked(n, false);
    for (const auto& g : group_by_shared_audio(audio, options, progress, memo)) {
        for (std::size_t k = 1; k < g.size(); ++k) parent[find_root(parent, with_audio[g[k]])] = find_root(parent, with_audio[g[0]]);
        if (g.size() >= 2)
            for (std::size_t k : g) linked[with_audio[k]] = true;
    }
    // The pictures of the episodes the sound left alone, against every other component (not only the
    // first match: two episodes with dubbed intros match each other AND the rest of the season). Pairs
    // already in one component are skipped.
    auto has_pictures = [&](std::size_t i) { return fps[i] && fps[i]->has_video && !fps[i]->visual.hashes.empty(); };
    for (std::size_t i = 0; i < n; ++i) {
        if (linked[i] || !has_pictures(i)) continue;
        for (std::size_t j = 0; j < n; ++j) {
            if (j == i || !has_pictures(j) || find_root(parent, i) == find_root(parent, j)) continue;
            throw_if_cancelled();
            // In index order, as detection aligns its pairs (the memo is keyed by order).
            if (share_pictures(*fps[std::min(i, j)], *fps[std::max(i, j)], options, memo))
                parent[find_root(parent, i)] = find_root(parent, j);
        }
    }
    return components(parent);
}

EpisodeProfile episode_profile(const std::string& path, double duration) {
    namespace fs = std::filesystem;
    EpisodeProfile p;
    std::error_code ec;
    const fs::path absolute = fs::absolute(path, ec);
    p.folder = (ec ? fs::path(path) : absolute).parent_path().lexically_normal().string();
    for (char c : fs::path(path).stem().string()) {
        if (std::isdigit(static_cast<unsigned char>(c))) break;
        p.name_prefix += char(std::tolower(static_cast<unsigned char>(c)));
    }
    p.duration = duration;
    try {
        media::ProbeOptions po;
        po.scan_packets = false;
        const auto info = media::probe(path, po);
        if (const auto* v = info.video()) p.width = v->width, p.height = v->height;
        if (p.duration <= 0) p.duration = info.duration;
    } catch (const Error&) {
        // Unreadable now: the profile then rests on the folder, the name and the duration.
    }
    return p;
}

bool same_profile(const EpisodeProfile& a, const EpisodeProfile& b) {
    if (a.folder != b.folder || a.name_prefix != b.name_prefix || a.width != b.width || a.height != b.height) return false;
    if (a.duration <= 0 || b.duration <= 0) return a.duration <= 0 && b.duration <= 0;
    return std::abs(a.duration - b.duration) <= 0.25 * std::max(a.duration, b.duration);
}

std::vector<std::vector<std::size_t>> merge_same_profile_groups(std::vector<std::vector<std::size_t>> groups,
                                                                const std::vector<EpisodeProfile>& profiles) {
    auto uniform = [&](const std::vector<std::size_t>& g) {
        for (std::size_t i : g)
            if (!same_profile(profiles[g[0]], profiles[i])) return false;
        return true;
    };
    std::vector<std::vector<std::size_t>> out;
    std::vector<bool> used(groups.size(), false);
    for (std::size_t a = 0; a < groups.size(); ++a) {
        if (used[a]) continue;
        std::vector<std::size_t> merged = groups[a];
        if (merged.size() >= 2 && uniform(merged))
            for (std::size_t b = a + 1; b < groups.size(); ++b)
                if (!used[b] && groups[b].size() >= 2 && uniform(groups[b]) &&
                    same_profile(profiles[merged[0]], profiles[groups[b][0]])) {
                    merged.insert(merged.end(), groups[b].begin(), groups[b].end());
                    used[b] = true;
                }
        std::sort(merged.begin(), merged.end());
        out.push_back(std::move(merged));
    }
    std::sort(out.begin(), out.end());
    return out;
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
    if (doc.is_discarded() || !doc.is_object() || !json_integer_is(doc, "version", kDetectionResultVersion) ||
        !doc.contains("episodes") || !doc["episodes"].is_array() || doc["episodes"].size() != episodes.size()) {
        why = "not a detection result of this version";
        return std::nullopt;
    }
    auto dets = detections_from(nlohmann::json{{"version", kDetectionResultVersion}, {"detections", doc["episodes"]}}.dump(),
                                episodes.size(), why);
    if (!dets) return std::nullopt;
    SeriesDetection r;
    try {
        for (const auto& group : doc.at("series")) {
            if (!group.is_array()) throw nlohmann::json::type_error::create(302, "a series must be an array", &group);
            auto& members = r.series.emplace_back();
            for (const auto& i : group) members.push_back(json_integer<std::size_t>(i, "a series member"));
        }
        for (std::size_t i = 0; i < episodes.size(); ++i) {
            const auto& e = doc["episodes"][i];
            auto& d = (*dets)[i];
            d.episode = episodes[i];
            d.error = e.at("error").get<std::string>();
            d.no_audio = e.at("no_audio").get<bool>();
            d.no_video = e.at("no_video").get<bool>();
            r.reasons.push_back(e.at("reason").get<std::string>());
            r.series_of.push_back(json_integer<int>(e.at("series"), "series"));
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

std::optional<SeriesDetection> series_detection_from_cache(const std::string& text,
                                                           const std::vector<std::string>& episodes, std::string& why) {
    return run_from(text, episodes, why);
}

SeriesDetection detect_intros_by_series(const std::vector<std::string>& episodes, const IntroDetectOptions& options,
                                        FingerprintCache* cache, Progress* progress, bool need_fingerprints,
                                        const std::vector<FingerprintedEpisode>* audio_pass,
                                        PairAlignments* shared_memo) {
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
    result.episodes = fingerprint_episodes(episodes, options, cache, progress, audio_pass);

    std::vector<std::size_t> without_audio;
    std::vector<const EpisodeFingerprints*> readable(n, nullptr);
    bool any_pictures = false;
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
        readable[i] = &e.fingerprints;
        any_pictures = any_pictures || (e.fingerprints.has_video && !e.fingerprints.visual.hashes.empty());
        if (!e.fingerprints.has_audio || e.fingerprints.audio.items.empty()) without_audio.push_back(i);
    }

    std::vector<std::vector<std::size_t>> series, singletons;
    // One memo of pair alignments for grouping and detection (each pair's offset scan runs once).
    PairAlignments own_memo(options);
    PairAlignments& memo = shared_memo ? *shared_memo : own_memo;
    auto groups = group_by_shared_content(readable, options, progress, &memo);
    // The groups that share content: a series merged from several of them (a new intro from the middle
    // of a season) is still detected group by group, as before the merge (a 2 + 2 season must not
    // need two confirmations per intro), with variant ids made unique across its groups.
    std::vector<std::vector<std::size_t>> linked;
    for (const auto& g : groups)
        if (g.size() >= 2) linked.push_back(g);
    if (linked.size() >= 2) {
        // Two or more groups: one season whose new intro shares nothing with the old one, or two shows?
        std::vector<EpisodeProfile> profiles(n);
        for (const auto& g : groups)
            if (g.size() >= 2)
                for (std::size_t i : g) profiles[i] = episode_profile(episodes[i], result.episodes[i].fingerprints.duration);
        groups = merge_same_profile_groups(std::move(groups), profiles);
    }
    for (auto& g : groups) {
        if (!readable[g[0]]) continue;  // unreadable: reported through its error
        (g.size() >= 2 ? series : singletons).push_back(std::move(g));
    }
    auto alone = [&](std::size_t i) {
        return std::any_of(singletons.begin(), singletons.end(), [&](const auto& g) { return g[0] == i; });
    };

    if (series.empty()) {
        // No two episodes share audio or pictures: compare everything readable as one series.
        std::vector<std::size_t> all;
        for (std::size_t i = 0; i < n; ++i)
            if (result.episodes[i].error.empty()) all.push_back(i);
        if (all.size() >= 2) series.push_back(std::move(all));
        singletons.clear();
    } else if (series.size() == 1) {
        for (std::size_t i : without_audio)
            if (alone(i)) series[0].push_back(i);
        std::sort(series[0].begin(), series[0].end());
        singletons.erase(std::remove_if(singletons.begin(), singletons.end(),
                                        [&](const auto& g) { return std::binary_search(series[0].begin(), series[0].end(), g[0]); }),
                         singletons.end());
    } else {
        for (std::size_t i : without_audio)
            if (alone(i))
                result.reasons[i] = Messages().text(Msg::ReasonNoAudioSeveralSeries,
                                                    {{"count", std::to_string(series.size())}});
    }
    for (const auto& g : singletons)
        if (result.reasons[g[0]].empty())
            result.reasons[g[0]] =
                Messages().text(any_pictures ? Msg::ReasonSharesNothing : Msg::ReasonSharesNoAudio);

    std::sort(series.begin(), series.end());
    for (std::size_t s = 0; s < series.size(); ++s) {
        for (std::size_t i : series[s]) result.series_of[i] = int(s);
        std::vector<std::vector<std::size_t>> parts;
        for (const auto& g : linked)
            if (std::binary_search(series[s].begin(), series[s].end(), g[0])) parts.push_back(g);
        if (parts.size() < 2) parts = {series[s]};
        int next_variant = 0;
        for (const auto& part : parts) {
            detect_series(part, result.episodes, options, cache, progress, result.detections, &memo);
            int top = -1;
            for (std::size_t i : part) {
                auto& d = result.detections[i];
                if (d.variant >= 0) {
                    d.variant += next_variant;
                    top = std::max(top, d.variant);
                }
                // Matches index the part's members: make them index the episodes given.
                for (auto& m : d.matches)
                    if (m.partner < part.size()) m.partner = part[m.partner];
            }
            next_variant = std::max(next_variant, top + 1);
        }
    }
    result.series = std::move(series);
    if (whole != 0) cache->store_result(whole, run_json(result));
    return result;
}

}  // namespace vidseg::intro
