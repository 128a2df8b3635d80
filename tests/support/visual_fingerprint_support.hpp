// Picture fingerprints for the intro unit tests.
#pragma once

#include <cstddef>
#include <random>

#include "vidseg/intro/visual_fingerprint.hpp"

namespace vidseg::test {

// A fingerprint of n slots (4 per second) of random pictures from seed.
inline intro::VisualFingerprint random_pictures(std::size_t n, unsigned seed) {
    std::mt19937_64 rng(seed);
    intro::VisualFingerprint v;
    v.period = 0.25;
    for (std::size_t i = 0; i < n; ++i) v.hashes.push_back(rng() | 1);
    v.luma.assign(n, 128);
    v.duration = double(n) * v.period;
    return v;
}

}  // namespace vidseg::test
