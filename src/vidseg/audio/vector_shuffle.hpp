// GCC's __builtin_shuffle for the clang build: the vector code of audio/ (float8.hpp, lane_vectors.hpp)
// is written with GCC's vector extensions; clang has them all but this one.
#pragma once

#if defined(__clang__) && !defined(__builtin_shuffle)
// clang has no GCC __builtin_shuffle (run-time masks; clang's __builtin_shufflevector takes constant
// indices): the clang build (the sanitizer tree, scripts/build_sanitizers.sh) gets the same semantics
// element by element — indices modulo 2n (two vectors) or n (one).
template <class V, class M>
inline V vidseg_builtin_shuffle(V a, V b, M mask) {
    constexpr int n = int(sizeof(V) / sizeof(a[0]));
    V r;
    for (int i = 0; i < n; ++i) {
        const int j = int(mask[i]) & (2 * n - 1);
        r[i] = j < n ? a[j] : b[j - n];
    }
    return r;
}
template <class V, class M>
inline V vidseg_builtin_shuffle(V a, M mask) {
    constexpr int n = int(sizeof(V) / sizeof(a[0]));
    V r;
    for (int i = 0; i < n; ++i) r[i] = a[int(mask[i]) & (n - 1)];
    return r;
}
#define __builtin_shuffle vidseg_builtin_shuffle
#endif
