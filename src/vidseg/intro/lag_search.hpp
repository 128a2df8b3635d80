// The lag at which two sample buffers agree best (normalised correlation), for boundary refinement
// (boundary_refiner.hpp). The direct search costs one dot product per lag (2 x 1100 lags of up to
// 8300 samples per partner: 9.5 % of a season's CPU); the FFT search computes every lag's dot product
// at once and re-scores only the lags within a hair of the best with the direct formula, so both
// return the same lag and the same score.
#pragma once

#include <vector>

namespace vidseg::intro {

// Normalised correlation of a[ia .. ia+len) and b[ib .. ib+len); 0 when out of range or silent
// (below ~-60 dBFS RMS in either).
double correlation(const std::vector<float>& a, long ia, const std::vector<float>& b, long ib, long len);

struct LagScore {
    long lag = 0;       // b's start is ib0 + lag
    double score = -2;  // correlation(a, ia, b, ib0 + lag, len); -2 when no lag was tried
};

// The first lag in [-max_lag, max_lag] (ascending) with the highest correlation(a, ia, b, ib0 + lag, len).
LagScore best_lag_direct(const std::vector<float>& a, long ia, const std::vector<float>& b, long ib0, long len,
                         long max_lag);
// The same result through one FFT cross-correlation (falls back to the direct search where the
// shortcut cannot guarantee it: nothing correlates, or the window is tiny).
LagScore best_lag_fft(const std::vector<float>& a, long ia, const std::vector<float>& b, long ib0, long len,
                      long max_lag);

}  // namespace vidseg::intro
