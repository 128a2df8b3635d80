#include "vidseg/intro/intro_detector.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "vidseg/core/error.hpp"
#include "vidseg/intro/boundary_refiner.hpp"
#include "vidseg/intro/intro_consensus.hpp"
#include "vidseg/intro/intro_variants.hpp"
#include "vidseg/intro/pair_alignments.hpp"
#include "vidseg/intro/recurring_audio.hpp"
#include "vidseg/intro/season_structure.hpp"
#include "vidseg/intro/structural_ends.hpp"
#include "vidseg/intro/visual_alignment.hpp"

namespace vidseg::intro {

namespace {

using timeline::Interval;

enum Evidence : int { kAudio = 1, kVisual = 2 };

// One matched run of a pair, seen from one episode.
struct Candidate {
    Interval interval;
    std::size_t partner = 0;
    int evidence = 0;      // Evidence bits
    double offset = 0;     // this episode's time - partner's time
    bool pictures_differ = false;  // found by the sound alone, the pictures clearly differ
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double overlap(const Interval& x, const Interval& y) {
    return std::max(0.0, std::min(x.end, y.end) - std::max(x.start, y.start));
}

void validate(const IntroDetectOptions& o) {
    if (!(o.max_start > 0)) throw Error(ErrorCode::InvalidArgument, "max_start must be > 0");
    if (!(o.min_length > 0)) throw Error(ErrorCode::InvalidArgument, "min_length must be > 0");
    if (!(o.max_length >= o.min_length))
        throw Error(ErrorCode::InvalidArgument, "max_length must be >= min_length");
}

double analysed_span(const EpisodeFingerprints& e) {
    return std::max(e.has_audio ? e.audio.duration : 0.0, e.has_video ? e.visual.duration : 0.0);
}

// How the audio of a and b relates over a's interval when b is shifted by offset (a - b):
// the share of informative items that agree (best of the neighbouring item offsets), or a negative
// value when the audio cannot tell (missing, too short, silence / steady tone in either).
double audio_agreement(const AudioFingerprint& a, const AudioFingerprint& b, const Interval& in_a, double offset) {
    if (a.items.empty() || b.items.empty()) return -1;
    const double p = a.item_period;
    const long first = long(std::ceil(in_a.start / p)), last = long(std::floor((in_a.end - a.item_span) / p));
    if (last - first < 8) return -1;
    const long shift = std::lround(offset / p);
    double best = -1;
    for (long d = shift - 1; d <= shift + 1; ++d) {
        int agree = 0, total = 0;
        std::unordered_set<uint32_t> distinct_a, distinct_b;
        for (long i = first; i <= last; ++i) {
            const long j = i - d;
            if (i < 0 || j < 0 || i >= long(a.items.size()) || j >= long(b.items.size())) continue;
            if (a.quiet(std::size_t(i)) || b.quiet(std::size_t(j))) continue;
            distinct_a.insert(a.items[std::size_t(i)]);
            distinct_b.insert(b.items[std::size_t(j)]);
            ++total;
            agree += bit_errors(a.items[std::size_t(i)], b.items[std::size_t(j)]) <= 8;
        }
        if (total < 8 || long(distinct_a.size()) * 4 < total || long(distinct_b.size()) * 4 < total) continue;
        best = std::max(best, double(agree) / total);
    }
    return best;
}

}  // namespace

std::vector<PairRun> align_episode_pair(const EpisodeFingerprints& a, const EpisodeFingerprints& b,
                                        const IntroDetectOptions& options, PairAlignments* memo) {
    std::vector<AlignedRun> audio, visual;
    if (a.has_audio && b.has_audio) {
        if (memo) {
            audio = memo->audio(a.audio, b.audio);
        } else {
            AlignmentOptions align = options.alignment;
            align.min_length = options.min_length;
            audio = align_episodes(a.audio, b.audio, align);
        }
    }
    if (a.has_video && b.has_video) {
        if (memo) {
            visual = memo->visual(a.visual, b.visual);
        } else {
            VisualAlignmentOptions align;
            align.min_length = options.min_length;
            visual = align_visual(a.visual, b.visual, align);
        }
    }
    const double span_a = analysed_span(a), span_b = analysed_span(b);
    // Most of both files matching is a duplicate or a test pattern, not an intro.
    auto whole_file = [&](const Interval& x, const Interval& y) {
        return x.length() >= 0.8 * span_a || y.length() >= 0.8 * span_b;
    };
    // A picture run cut by a decoding window (picture_windows.hpp) is of unknown length: it may be
    // most of both files (a test pattern all through), so it counts as such and extends nothing.
    auto cut_by_window = [&](const AlignedRun& vr) { return a.visual.cut_by_window(vr.a) || b.visual.cut_by_window(vr.b); };
    std::vector<PairRun> out;
    std::vector<bool> visual_used(visual.size(), false);
    // How far the pictures may extend a run the sound found (speech over the start or the end of
    // the intro hides it from the audio fingerprint).
    constexpr double kMaxExtension = 4.0;
    for (const auto& ar : audio) {
        PairRun r{ar.a, ar.b, ar.offset, kAudio};
        for (std::size_t k = 0; k < visual.size(); ++k) {
            const auto& vr = visual[k];
            if (std::abs(vr.offset - ar.offset) > 0.5 || overlap(vr.a, ar.a) <= 0) continue;
            visual_used[k] = true;
            r.evidence |= kVisual;
            if (cut_by_window(vr)) continue;
            if (vr.a.start < r.a.start && r.a.start - vr.a.start <= kMaxExtension) r.a.start = vr.a.start;
            if (vr.a.end > r.a.end && vr.a.end - r.a.end <= kMaxExtension) r.a.end = vr.a.end;
        }
        r.b = {r.a.start - r.offset, r.a.end - r.offset};
        if (r.b.start < 0) {
            r.a.start -= r.b.start;
            r.b.start = 0;
        }
        // The same sound under other pictures: a reused cue, a catchphrase, a jingle (issue 16 §2).
        r.pictures_differ = r.evidence == kAudio && a.has_video && b.has_video &&
                            pictures_clearly_differ(a.visual, b.visual, r.a, r.offset);
        if (!whole_file(r.a, r.b)) out.push_back(r);
    }
    for (std::size_t k = 0; k < visual.size(); ++k) {
        if (visual_used[k]) continue;
        const auto& vr = visual[k];
        if (whole_file(vr.a, vr.b) || cut_by_window(vr)) continue;
        // Same pictures with different (informative) sound in both is not a repeated intro: a
        // static test card, a shared location, a recap over new narration.
        if (a.has_audio && b.has_audio) {
            const double agree = audio_agreement(a.audio, b.audio, vr.a, vr.offset);
            if (agree >= 0 && agree < 0.1) continue;
        }
        bool clash = false, beside_differing_sound = false;
        for (const auto& r : out)
            if (overlap(r.a, vr.a) > 0 || overlap(r.b, vr.b) > 0) (r.pictures_differ ? beside_differing_sound : clash) = true;
        if (!clash) {
            PairRun run{vr.a, vr.b, vr.offset, kVisual};
            run.beside_differing_sound = beside_differing_sound;
            out.push_back(run);
        }
    }
    return out;
}

namespace {

struct Group {
    Interval seed;
    std::map<std::size_t, Candidate> best;  // partner -> its best run in the group
    double score() const {
        double s = 0;
        for (const auto& [p, c] : best) s += c.evidence == (kAudio | kVisual) ? 1.0 : 0.8;
        return s;
    }
    double length() const {
        std::vector<double> l;
        for (const auto& [p, c] : best) l.push_back(c.interval.length());
        return l.empty() ? 0 : median(l);
    }
};

bool better(const Candidate& x, const Candidate& y) {
    const int bx = __builtin_popcount(unsigned(x.evidence)), by = __builtin_popcount(unsigned(y.evidence));
    if (bx != by) return bx > by;
    return x.interval.length() > y.interval.length();
}

}  // namespace

std::vector<IntroDetection> detect_intros_from_fingerprints(const std::vector<std::string>& ids,
                                                            const std::vector<EpisodeFingerprints>& fps,
                                                            const IntroDetectOptions& options,
                                                            Progress* progress, PairAlignments* memo) {
    validate(options);
    if (ids.size() != fps.size()) throw Error(ErrorCode::InvalidArgument, "one fingerprint set per episode is required");
    const std::size_t n = fps.size();
    std::vector<IntroDetection> result(n);
    for (std::size_t i = 0; i < n; ++i) {
        result[i].episode = ids[i];
        result[i].no_audio = !fps[i].has_audio;
        result[i].no_video = !fps[i].has_video;
    }
    if (n < 2) return result;

    std::vector<std::vector<Candidate>> candidates(n);
    const double pairs = double(n * (n - 1) / 2);
    if (progress) progress->begin("Comparing episodes", pairs);
    double done = 0;
    auto keep = [&](const Interval& x) {
        return x.length() >= options.min_length && x.length() <= options.max_length && x.start <= options.max_start;
    };
    // The pairs are aligned in parallel (each is an all-offset scan); candidates are collected in
    // pair order afterwards, so the outcome does not depend on the thread count.
    std::vector<std::pair<std::size_t, std::size_t>> pair_list;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) pair_list.emplace_back(i, j);
    std::vector<std::vector<PairRun>> runs(pair_list.size());
    std::atomic<std::size_t> next_pair{0};
    std::mutex progress_mutex;
    std::exception_ptr failure;
    auto align_pairs = [&] {
        for (;;) {
            const std::size_t k = next_pair++;
            if (k >= pair_list.size()) return;
            try {
                runs[k] = align_episode_pair(fps[pair_list[k].first], fps[pair_list[k].second], options, memo);
            } catch (...) {
                std::lock_guard lock(progress_mutex);
                if (!failure) failure = std::current_exception();
                next_pair = pair_list.size();
                return;
            }
            std::lock_guard lock(progress_mutex);
            if (progress) progress->update(++done);
        }
    };
    {
        const std::size_t workers = std::min<std::size_t>(std::size_t(resolve_threads(options.threads)), pair_list.size());
        std::vector<std::thread> pool;
        for (std::size_t w = 1; w < workers; ++w) pool.emplace_back(align_pairs);
        align_pairs();
        for (auto& t : pool) t.join();
    }
    if (progress) progress->end();
    if (failure) std::rethrow_exception(failure);
    // With four or more episodes an intro must be confirmed by two of them: a single match is a
    // recap of the previous episode or a shared scene more often than a two-episode intro variant.
    const std::size_t min_support = n >= 4 ? 2 : 1;
    // Pictures are evidence only where they agree somewhere (season_structure.hpp).
    SeasonRuns season{n, pair_list, std::vector<std::vector<PairRun>>(pair_list.size())};
    for (std::size_t k = 0; k < pair_list.size(); ++k)
        for (const auto& run : runs[k])
            if (keep(run.a) && keep(run.b)) season.runs[k].push_back(run);
    const auto av_intros = sound_and_picture_intros(season, min_support);
    const bool pictures_count = pictures_are_evidence(av_intros);
    const double av_length = pictures_count ? sound_and_picture_length(av_intros) : 0;
    for (std::size_t k = 0; k < pair_list.size(); ++k) {
        const auto [i, j] = pair_list[k];
        for (const auto& run : season.runs[k]) {
            // A picture run that met sound whose pictures differ: a candidate only where pictures count
            // (otherwise that sound is a candidate itself and the picture run clashes with it).
            if (run.beside_differing_sound && !pictures_count) continue;
            if (run.pictures_differ) {
                add_recurring_audio(result[i].recurring_audio, run.a, j, true);
                add_recurring_audio(result[j].recurring_audio, run.b, i, true);
                if (demoted_by_pictures(run, i, j, av_intros, pictures_count)) continue;
            }
            if (too_short_for_season(run.a.length(), av_length, run.evidence == (kAudio | kVisual))) continue;
            if (pictures_count && scene_shared_by_intros(run, i, j, av_intros)) continue;
            candidates[i].push_back({run.a, j, run.evidence, run.offset, run.pictures_differ});
            candidates[j].push_back({run.b, i, run.evidence, -run.offset, run.pictures_differ});
        }
    }
    std::vector<std::vector<std::size_t>> confirmed_by(n);
    std::vector<std::optional<SinglePartnerCandidate>> single(n);  // rule (c) of season_structure.hpp
    for (std::size_t e = 0; e < n; ++e) {
        auto& cands = candidates[e];
        if (cands.empty()) continue;
        std::sort(cands.begin(), cands.end(),
                  [](const Candidate& x, const Candidate& y) { return x.interval.start < y.interval.start; });
        // Once per episode: a stretch hearing what a longer candidate of the same partner hears
        // elsewhere in this episode is a repeat of it (a cue of the theme), not the intro.
        {
            std::vector<EpisodeCandidateView> view;
            for (const auto& c : cands) view.push_back({c.interval, c.partner, c.offset});
            const auto repeat = repeats_within_episode(view);
            std::vector<Candidate> kept;
            for (std::size_t x = 0; x < cands.size(); ++x) {
                if (!repeat[x]) kept.push_back(cands[x]);
                else if (cands[x].evidence == kAudio)
                    add_recurring_audio(result[e].recurring_audio, cands[x].interval, cands[x].partner,
                                        cands[x].pictures_differ);
            }
            cands = std::move(kept);
        }
        // Group: a candidate joins every group seeded by a candidate it overlaps by >= half the shorter.
        std::vector<Group> groups;
        for (const auto& seed : cands) {
            Group g{seed.interval, {}};
            for (const auto& c : cands) {
                const double shorter = std::min(seed.interval.length(), c.interval.length());
                if (overlap(seed.interval, c.interval) < shorter / 2) continue;
                auto [it, inserted] = g.best.emplace(c.partner, c);
                if (!inserted && better(c, it->second)) it->second = c;
            }
            groups.push_back(std::move(g));
        }
        // The most (and best) confirmed group wins; among groups within 25 % of the best support the
        // longest: a logo sting or a sponsor card that repeats as often as the intro is shorter.
        double top = 0;
        for (const auto& g : groups) top = std::max(top, g.score());
        const Group* winner = nullptr;
        for (const auto& g : groups) {
            if (g.score() < 0.75 * top - 1e-9) continue;
            if (!winner || g.best.size() > winner->best.size() + 1 ||
                (g.best.size() + 1 >= winner->best.size() && g.length() > winner->length() + 0.5))
                winner = &g;
        }
        if (winner && winner->best.size() == 1 && min_support > 1) {
            const auto& [partner, c] = *winner->best.begin();
            single[e] = SinglePartnerCandidate{c.interval, partner, c.evidence, c.offset};
        }
        if (!winner || winner->best.size() < min_support) continue;
        std::vector<double> starts, ends;
        for (const auto& [partner, c] : winner->best) {
            starts.push_back(c.interval.start);
            ends.push_back(c.interval.end);
            confirmed_by[e].push_back(partner);
            result[e].matches.push_back({partner, c.offset, c.evidence});
        }
        Interval intro{std::max(0.0, median(starts)), consensus_end(ends)};
        // Sound recurring elsewhere whose pictures were not compared (no video in one of the two): the
        // audio-first pass cannot tell a reused cue from a second intro, the pictures must.
        for (const auto& c : cands)
            if (c.evidence == kAudio && !(fps[e].has_video && fps[c.partner].has_video) && overlap(c.interval, intro) <= 0)
                add_recurring_audio(result[e].recurring_audio, c.interval, c.partner, false);
        if (intro.length() < options.min_length) continue;
        result[e].intro = intro;
        result[e].confirmations = int(winner->best.size());
        result[e].confidence = std::min(1.0, winner->score() / std::min(3.0, double(n - 1)));
    }
    // A variant change mid-season: two neighbouring episodes sharing an intro of their own (rule (c)).
    {
        std::vector<std::optional<Interval>> intros(n);
        for (std::size_t e = 0; e < n; ++e) intros[e] = result[e].intro;
        const auto variant_pair = two_episode_variants(single, intros);
        for (std::size_t e = 0; e < n; ++e) {
            if (!variant_pair[e]) continue;
            const auto& c = *single[e];
            auto& d = result[e];
            d.intro = c.interval;
            d.confirmations = 1;
            d.matches.push_back({c.partner, c.offset, c.evidence});
            d.confidence = std::min(1.0, 1.0 / std::min(3.0, double(n - 1)));
            confirmed_by[e].push_back(c.partner);
        }
    }
    // Structure: an intro much shorter than the season's consensus, its pictures agreeing with no
    // partner, is a recurrence of part of the intro (a cue, a repeated photo), not this episode's intro.
    {
        std::vector<double> lengths;
        for (const auto& d : result)
            if (d.intro) lengths.push_back(d.intro->length());
        const double consensus = lengths.empty() ? 0 : median(lengths);
        for (std::size_t e = 0; e < n; ++e) {
            auto& d = result[e];
            if (!d.intro) continue;
            const bool pictures_agree = std::any_of(d.matches.begin(), d.matches.end(), [](const auto& m) {
                return m.evidence == (kAudio | kVisual);
            });
            if (!too_short_for_season(d.intro->length(), consensus, pictures_agree)) continue;
            for (const auto& m : d.matches)
                if (m.evidence & kAudio) add_recurring_audio(d.recurring_audio, *d.intro, m.partner, false);
            d.intro.reset();
            d.confirmations = 0;
            d.matches.clear();
            confirmed_by[e].clear();
        }
    }
    // Abstain below the threshold.
    for (auto& d : result)
        if (d.intro && d.confidence < options.min_confidence) {
            d.intro.reset();
            d.confirmations = 0;
            d.matches.clear();
        }
    for (auto& d : result) d.recurring_audio = outside_intro(d.recurring_audio, d.intro ? &*d.intro : nullptr);
    std::vector<bool> has_intro(n);
    std::vector<std::pair<std::size_t, std::size_t>> links;
    for (std::size_t e = 0; e < n; ++e) {
        has_intro[e] = result[e].intro.has_value();
        for (std::size_t p : confirmed_by[e])
            if (std::find(confirmed_by[p].begin(), confirmed_by[p].end(), e) != confirmed_by[p].end())
                links.emplace_back(e, p);
    }
    const auto variants = assign_variants(has_intro, links);
    for (std::size_t e = 0; e < n; ++e) result[e].variant = variants[e];
    return result;
}

std::vector<IntroDetection> detect_intros_from_fingerprints(const std::vector<std::string>& ids,
                                                            const std::vector<AudioFingerprint>& fingerprints,
                                                            const IntroDetectOptions& options,
                                                            Progress* progress) {
    std::vector<EpisodeFingerprints> fps(fingerprints.size());
    for (std::size_t i = 0; i < fps.size(); ++i) {
        fps[i].audio = fingerprints[i];
        fps[i].has_audio = true;
        fps[i].duration = fingerprints[i].duration;
    }
    return detect_intros_from_fingerprints(ids, fps, options, progress);
}

namespace {

// The sound of the episode can tell on its own that nothing recurs: levels known, no quiet stretch
// of min_length seconds (an intro shown over silence) anywhere in the analysed span.
bool informative_throughout(const AudioFingerprint* audio, double min_length) {
    if (!audio || audio->items.empty() || audio->levels.size() != audio->items.size()) return false;
    const double p = audio->item_period > 0 ? audio->item_period : 0.1238;
    std::size_t run = 0;
    for (std::size_t i = 0; i < audio->items.size(); ++i) {
        run = audio->quiet(i) ? run + 1 : 0;
        if (double(run) * p >= min_length) return false;
    }
    return true;
}

}  // namespace

bool audio_detection_suffices(const std::vector<IntroDetection>& detections,
                              const std::vector<const AudioFingerprint*>& audio, double min_length) {
    std::vector<double> lengths;
    std::size_t usable = 0, with_intro = 0;
    for (const auto& d : detections) {
        // Sound recurring outside the intro: a reused cue or a second intro, only the pictures tell.
        if (d.error.empty() && !d.recurring_audio.empty()) return false;
        // An episode skipped for lacking audio (in an audio-only pass) can still be compared by its pictures.
        if (d.error.find("no audio stream") != std::string::npos || (d.error.empty() && d.no_audio)) return false;
        if (!d.error.empty()) continue;
        ++usable;
        if (d.intro) ++with_intro;
    }
    if (usable < 2) return false;
    if (with_intro == 0) {
        // A confident "none": every episode's sound informative all through.
        if (audio.size() != detections.size()) return false;
        for (std::size_t i = 0; i < detections.size(); ++i)
            if (detections[i].error.empty() && !informative_throughout(audio[i], min_length)) return false;
        return true;
    }
    const double wanted = std::min(3.0, double(usable - 1));
    for (const auto& d : detections) {
        if (!d.error.empty()) continue;
        if (!d.intro || d.confirmations < wanted) return false;
        lengths.push_back(d.intro->length());
    }
    const double typical = median(lengths);
    for (double l : lengths)
        if (std::abs(l - typical) > 0.5) return false;
    return true;
}

namespace {

// One detection pass with the fingerprints options asks for; audio_out (if given) receives each
// episode's audio fingerprint (empty for unreadable ones).
std::vector<IntroDetection> detect_intros_once(const std::vector<std::string>& episodes,
                                               const IntroDetectOptions& options, Progress* progress,
                                               std::vector<AudioFingerprint>* audio_out) {
    if (episodes.size() < 2)
        throw Error(ErrorCode::InvalidArgument,
                    "intro detection needs at least two episodes of a series (got " +
                        std::to_string(episodes.size()) + ")");
    const std::size_t n = episodes.size();
    std::vector<IntroDetection> result(n);
    std::vector<EpisodeFingerprints> all(n);
    std::vector<std::string> errors(n);
    std::vector<int> codes(n, 0);
    FingerprintOptions fo;
    fo.seconds = options.max_start + options.max_length;
    fo.visual = options.visual;
    // One episode per thread (see episodes_at_once): the audio-first pass decodes audio only, one
    // thread per episode; with video the audio helper thread adds a little on top.
    const unsigned workers = unsigned(episodes_at_once(options.threads, n));
    std::atomic<std::size_t> next{0}, finished{0};
    std::exception_ptr fatal;
    std::mutex mutex;
    if (progress) progress->begin("Fingerprinting episodes", double(n));
    auto work = [&] {
        for (;;) {
            const std::size_t i = next++;
            if (i >= n) return;
            try {
                all[i] = fingerprint_episode(episodes[i], fo);
            } catch (const Error& e) {
                if (e.code() == ErrorCode::Interrupted || e.code() == ErrorCode::Internal) {
                    std::lock_guard lock(mutex);
                    if (!fatal) fatal = std::current_exception();
                    next = n;
                    return;
                }
                errors[i] = e.cause().empty() ? e.what() : e.cause();
            } catch (...) {
                std::lock_guard lock(mutex);
                if (!fatal) fatal = std::current_exception();
                next = n;
                return;
            }
            if (progress) {
                std::lock_guard lock(mutex);
                progress->update(double(++finished));
            }
        }
    };
    std::vector<std::thread> pool;
    for (unsigned w = 1; w < workers; ++w) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    if (progress) progress->end();
    if (fatal) std::rethrow_exception(fatal);

    std::vector<std::string> ids;
    std::vector<EpisodeFingerprints> fps;
    std::vector<std::size_t> where;
    for (std::size_t i = 0; i < n; ++i) {
        result[i].episode = episodes[i];
        if (!errors[i].empty()) {
            result[i].error = errors[i];
            continue;
        }
        ids.push_back(episodes[i]);
        fps.push_back(std::move(all[i]));
        where.push_back(i);
    }
    if (audio_out) {
        audio_out->assign(n, AudioFingerprint{});
        for (std::size_t k = 0; k < fps.size(); ++k) (*audio_out)[where[k]] = fps[k].audio;
    }
    if (fps.size() < 2) return result;
    auto found = detect_intros_from_fingerprints(ids, fps, options, progress);
    if (options.refine) {
        refine_intro_boundaries(ids, fps, found, options, progress);
        // Speech over an intro's edge: the partners' intros and the pictures place it (structural_ends.hpp).
        extend_intros_by_structure(fps, found);
    }
    for (std::size_t k = 0; k < found.size(); ++k) {
        found[k].episode = episodes[where[k]];
        for (auto& r : found[k].recurring_audio)
            for (auto& p : r.partners) p = where[p];
        result[where[k]] = std::move(found[k]);
    }
    return result;
}

}  // namespace

std::vector<IntroDetection> detect_intros(const std::vector<std::string>& episodes, const IntroDetectOptions& options,
                                          Progress* progress) {
    validate(options);
    if (options.visual.fps > 0 && episodes.size() >= 2) {
        // Audio first: decoding the video costs several times the audio; only when the sound alone
        // leaves an episode unsure are the pictures fingerprinted too (everything recomputed fused).
        IntroDetectOptions audio_only = options;
        audio_only.visual.fps = 0;
        std::vector<AudioFingerprint> audio;
        auto found = detect_intros_once(episodes, audio_only, progress, &audio);
        std::vector<const AudioFingerprint*> sound;
        for (std::size_t i = 0; i < audio.size(); ++i)
            sound.push_back(found[i].error.empty() && !found[i].no_audio ? &audio[i] : nullptr);
        if (audio_detection_suffices(found, sound, options.min_length)) return found;
    }
    return detect_intros_once(episodes, options, progress, nullptr);
}

}  // namespace vidseg::intro
