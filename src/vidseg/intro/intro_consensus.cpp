#include "vidseg/intro/intro_consensus.hpp"

#include <algorithm>

#include "vidseg/intro/recurring_audio.hpp"

namespace vidseg::intro {

double consensus_end(std::vector<double> ends) {
    if (ends.empty()) return 0;
    std::sort(ends.begin(), ends.end());
    const std::size_t n = ends.size();
    const double median = n % 2 ? ends[n / 2] : (ends[n / 2 - 1] + ends[n / 2]) / 2;
    if (n < 2) return median;
    const double second_latest = ends[n - 2];
    return second_latest > median && second_latest - median <= kMaxEndExtension ? second_latest : median;
}

bool pictures_continue(const VisualFingerprint& a, const VisualFingerprint& b, const timeline::Interval& tail,
                       double offset) {
    return picture_agreement(a, b, tail, offset, 12, 2) >= 0.5;
}

}  // namespace vidseg::intro
