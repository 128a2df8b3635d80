#include "vidseg/intro/season_audio_index.hpp"

#include <algorithm>

#include "vidseg/intro/pair_alignments.hpp"

namespace vidseg::intro {

namespace {

// One posting: key (17 bits: the half and which half) << 47 | episode (15 bits) << 32 | item index.
constexpr int kEpisodeBits = 15;

}  // namespace

SeasonAudioIndex::SeasonAudioIndex(const std::vector<const AudioFingerprint*>& audio, const OffsetCandidateOptions& options)
    : options_(options) {
    std::vector<uint64_t> postings;
    for (const AudioFingerprint* fp : audio) {
        if (!fp || fp->items.empty() || sizes_.size() >= (std::size_t(1) << kEpisodeBits)) continue;
        bool clashes = false;
        for (std::size_t i = 0; i < fp->items.size(); ++i)
            if (!fp->quiet(i) && (fp->items[i] == 0u || fp->items[i] == ~0u)) clashes = true;
        if (clashes || fp->items.size() >= (std::size_t(1) << 32)) continue;
        const uint64_t key = content_key(*fp);
        if (episode_of_.count(key)) continue;  // the same content twice: one episode serves both
        const std::size_t e = sizes_.size();
        episode_of_[key] = e;
        sizes_.push_back(long(fp->items.size()));
        for (std::size_t i = 0; i < fp->items.size(); ++i) {
            if (fp->quiet(i)) continue;
            const uint32_t v = fp->items[i];
            postings.push_back(uint64_t(v & 0xFFFFu) << 47 | uint64_t(e) << 32 | i);
            postings.push_back(uint64_t((v >> 16) | 0x10000u) << 47 | uint64_t(e) << 32 | i);
        }
    }
    std::sort(postings.begin(), postings.end());
    // Per key: its postings grouped by episode; every two episodes' groups vote as the per-pair merge
    // join does (a key shared by more than max_key_pairs item pairs of the two casts no votes).
    std::vector<std::pair<std::size_t, std::size_t>> groups;  // [begin, end) per episode within a key
    for (std::size_t k = 0; k < postings.size();) {
        const uint64_t key = postings[k] >> 47;
        std::size_t end = k;
        while (end < postings.size() && postings[end] >> 47 == key) ++end;
        groups.clear();
        for (std::size_t p = k; p < end;) {
            const uint64_t e = (postings[p] >> 32) & ((1u << kEpisodeBits) - 1);
            std::size_t q = p;
            while (q < end && ((postings[q] >> 32) & ((1u << kEpisodeBits) - 1)) == e) ++q;
            groups.emplace_back(p, q);
            p = q;
        }
        for (std::size_t x = 0; x < groups.size(); ++x)
            for (std::size_t y = x + 1; y < groups.size(); ++y) {
                const auto [xb, xe] = groups[x];
                const auto [yb, ye] = groups[y];
                if ((xe - xb) * (ye - yb) > std::size_t(options_.max_key_pairs)) continue;
                const std::size_t ex = (postings[xb] >> 32) & ((1u << kEpisodeBits) - 1);
                const std::size_t ey = (postings[yb] >> 32) & ((1u << kEpisodeBits) - 1);
                auto& v = votes_[{ex, ey}];
                for (std::size_t i = xb; i < xe; ++i)
                    for (std::size_t j = yb; j < ye; ++j)
                        v.push_back(int32_t(int64_t(uint32_t(postings[i])) - int64_t(uint32_t(postings[j]))));
            }
        k = end;
    }
}

bool SeasonAudioIndex::covers(const AudioFingerprint& a, const AudioFingerprint& b) const {
    const auto ia = episode_of_.find(content_key(a)), ib = episode_of_.find(content_key(b));
    return ia != episode_of_.end() && ib != episode_of_.end() && ia->second != ib->second;
}

std::vector<std::pair<long, long>> SeasonAudioIndex::ranges(const AudioFingerprint& a, const AudioFingerprint& b) const {
    const auto ia = episode_of_.find(content_key(a)), ib = episode_of_.find(content_key(b));
    if (ia == episode_of_.end() || ib == episode_of_.end()) return {};
    const std::size_t ea = ia->second, eb = ib->second;
    const bool swapped = ea > eb;
    const auto it = votes_.find(swapped ? std::make_pair(eb, ea) : std::make_pair(ea, eb));
    if (it == votes_.end()) return {};
    const long na = sizes_[ea], nb = sizes_[eb];
    std::vector<uint16_t> votes(std::size_t(na + nb - 1), 0);
    for (int32_t offset : it->second) {
        const long d = swapped ? -long(offset) : long(offset);  // index in a - index in b
        uint16_t& v = votes[std::size_t(d + nb - 1)];
        if (v < 0xFFFF) ++v;
    }
    return offset_ranges_from_votes(votes, na, nb, options_);
}

}  // namespace vidseg::intro
