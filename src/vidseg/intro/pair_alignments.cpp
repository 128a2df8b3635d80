#include "vidseg/intro/pair_alignments.hpp"

#include <algorithm>

#include "vidseg/intro/fingerprint_cache.hpp"

namespace vidseg::intro {

namespace {

uint64_t mix(uint64_t seed, const void* data, std::size_t size) { return hash_bytes(data, size, seed); }

uint64_t mix(uint64_t seed, double value) { return mix(seed, &value, sizeof value); }

}  // namespace

uint64_t content_key(const AudioFingerprint& fp) {
    uint64_t h = mix(0x617564696fULL, fp.items.data(), fp.items.size() * sizeof(uint32_t));
    h = mix(h, fp.levels.data(), fp.levels.size());
    h = mix(h, fp.item_period);
    h = mix(h, fp.item_span);
    return mix(h, double(fp.items.size()));
}

uint64_t content_key(const VisualFingerprint& fp) {
    uint64_t h = mix(0x766964656fULL, fp.hashes.data(), fp.hashes.size() * sizeof(uint64_t));
    h = mix(h, fp.luma.data(), fp.luma.size());
    h = mix(h, fp.period);
    return mix(h, double(fp.hashes.size()));
}

PairAlignments::PairAlignments(const AlignmentOptions& audio, const VisualAlignmentOptions& visual)
    : audio_options_(audio), visual_options_(visual) {}

PairAlignments::PairAlignments(const IntroDetectOptions& options)
    : audio_options_(options.alignment), visual_options_() {
    audio_options_.min_length = options.min_length;
    visual_options_.min_length = options.min_length;
}

template <class Compute>
const std::vector<AlignedRun>& PairAlignments::lookup(std::map<Key, std::unique_ptr<Entry>>& table, const Key& key,
                                                      Compute&& compute) {
    Entry* entry = nullptr;
    {
        std::lock_guard lock(mutex_);
        auto& slot = table[key];
        if (!slot) slot = std::make_unique<Entry>();
        entry = slot.get();
    }
    // The scan runs outside the table lock (other pairs proceed); call_once makes a second caller of
    // the same pair wait for the first instead of scanning again.
    bool ran = false;
    std::call_once(entry->once, [&] {
        entry->runs = compute();
        ran = true;
    });
    std::lock_guard lock(mutex_);
    ++(ran ? computed_ : reused_);
    return entry->runs;
}

void PairAlignments::index_season(const std::vector<const AudioFingerprint*>& audio) {
    std::vector<std::size_t> sizes;
    for (const auto* fp : audio)
        if (fp) sizes.push_back(fp->items.size());
    std::sort(sizes.begin(), sizes.end());
    // Only worth it (and only used) when the two longest windows take align_episodes' indexed scan.
    if (sizes.size() < 2 || double(sizes[sizes.size() - 1]) * double(sizes[sizes.size() - 2]) < audio_options_.indexed_scan_min)
        return;
    auto index = std::make_shared<const SeasonAudioIndex>(audio);
    std::lock_guard lock(mutex_);
    season_index_ = std::move(index);
}

const std::vector<AlignedRun>& PairAlignments::audio(const AudioFingerprint& a, const AudioFingerprint& b) {
    std::shared_ptr<const SeasonAudioIndex> index;
    {
        std::lock_guard lock(mutex_);
        index = season_index_;
    }
    return lookup(audio_, {content_key(a), content_key(b)}, [&] {
        const bool indexed_scan = double(a.items.size()) * double(b.items.size()) >= audio_options_.indexed_scan_min;
        if (index && indexed_scan && index->covers(a, b))
            return align_episodes_at(a, b, audio_options_, index->ranges(a, b));
        return align_episodes(a, b, audio_options_);
    });
}

const std::vector<AlignedRun>& PairAlignments::visual(const VisualFingerprint& a, const VisualFingerprint& b) {
    return lookup(visual_, {content_key(a), content_key(b)}, [&] { return align_visual(a, b, visual_options_); });
}

std::size_t PairAlignments::computed() const {
    std::lock_guard lock(mutex_);
    return computed_;
}

std::size_t PairAlignments::reused() const {
    std::lock_guard lock(mutex_);
    return reused_;
}

}  // namespace vidseg::intro
