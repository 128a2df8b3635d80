// Eight floats side by side (GCC/Clang vector extensions) for the audio kernels, which process
// eight STFT frames at once, one per lane, so that per-bin sums over a spectrum need no horizontal
// reductions. Inside a function compiled for AVX2 (see VIDSEG_SIMD_CLONES) a Float8 is one register;
// elsewhere the compiler splits it into two SSE registers. The helpers are always inlined, so they
// take the instruction set of the function that calls them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

// -Wpsabi: "AVX vector argument without AVX enabled changes the ABI" — these never cross a call.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

// Clones a hot function for x86-64-v4 (AVX-512) and x86-64-v3 (AVX2 + FMA) next to the baseline
// build, picked at load time (ifunc), so one binary runs everywhere and uses the wide units where
// they exist.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VIDSEG_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define VIDSEG_SIMD_CLONES
#endif

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

namespace vidseg::audio::simd {

// Alignment 4, not 32: a Float8 may live anywhere (std::vector<Float8> does not honour the vector
// type's alignment), and unaligned AVX loads cost the same as aligned ones.
typedef float Float8 __attribute__((vector_size(32), aligned(4)));
typedef std::int32_t Int8 __attribute__((vector_size(32), aligned(4)));
constexpr std::size_t kLanes = 8;

#define VIDSEG_F8_INLINE [[gnu::always_inline]] inline

VIDSEG_F8_INLINE Float8 splat(float x) { return Float8{x, x, x, x, x, x, x, x}; }
VIDSEG_F8_INLINE Float8 load(const float* p) {
    Float8 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
VIDSEG_F8_INLINE void store(float* p, Float8 v) { std::memcpy(p, &v, sizeof v); }

// Two adjacent bins of a [bin][lane] layout (16 floats) at once: one AVX-512 register in a v4
// clone, two AVX2 registers in a v3 one. Kernels that reduce over bins keep two partial results
// (even and odd bins) in the halves and combine them at the end.
typedef float Float16 __attribute__((vector_size(64), aligned(4)));
typedef std::int32_t Int16 __attribute__((vector_size(64), aligned(4)));
VIDSEG_F8_INLINE Float16 load16(const float* p) {
    Float16 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
VIDSEG_F8_INLINE Float16 splat16(float x) { return Float16{} + x; }
VIDSEG_F8_INLINE Float16 min(Float16 a, Float16 b) { return a < b ? a : b; }
VIDSEG_F8_INLINE Float16 max(Float16 a, Float16 b) { return a > b ? a : b; }
VIDSEG_F8_INLINE Float8 low_half(Float16 v) { return __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7); }
VIDSEG_F8_INLINE Float8 high_half(Float16 v) { return __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15); }
VIDSEG_F8_INLINE Float8 min(Float8 a, Float8 b) { return a < b ? a : b; }
VIDSEG_F8_INLINE Float8 max(Float8 a, Float8 b) { return a > b ? a : b; }
VIDSEG_F8_INLINE bool any(Int8 mask) {
    std::uint64_t w[4];
    std::memcpy(w, &mask, sizeof w);
    return (w[0] | w[1] | w[2] | w[3]) != 0;
}
VIDSEG_F8_INLINE Float8 sqrt(Float8 x) {
    // Vectorised by the compiler (the audio sources build with -fno-math-errno).
    Float8 r;
    for (int i = 0; i < 8; ++i) r[i] = __builtin_sqrtf(x[i]);
    return r;
}
VIDSEG_F8_INLINE float sum(Float8 v) { return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7])); }

// Natural logarithm of positive normal floats (Cephes' logf: x = m 2^e with m in [sqrt(1/2), sqrt(2)),
// log(m) by a degree-9 polynomial; error <= 2 ulp). Not for 0, denormals, inf or NaN: callers clamp to
// amin = 1e-10 first, as librosa does.
template <class F, class I>
VIDSEG_F8_INLINE F log_of(F x) {
    I bits;
    std::memcpy(&bits, &x, sizeof bits);
    I e = ((bits >> 23) & 0xff) - 126;  // x = m 2^e, m in [0.5, 1)
    const I mbits = (bits & 0x007fffff) | 0x3f000000;
    F m;
    std::memcpy(&m, &mbits, sizeof m);
    const I small = m < 0.70710678118654752f;  // -1 where true
    e += small;
    m = small ? m + m - 1.0f : m - 1.0f;
    const F ef = __builtin_convertvector(e, F);
    const F z = m * m;
    F y = 7.0376836292e-2f * m - 1.1514610310e-1f;
    y = y * m + 1.1676998740e-1f;
    y = y * m - 1.2420140846e-1f;
    y = y * m + 1.4249322787e-1f;
    y = y * m - 1.6668057665e-1f;
    y = y * m + 2.0000714765e-1f;
    y = y * m - 2.4999993993e-1f;
    y = y * m + 3.3333331174e-1f;
    y = y * m * z;
    y += -2.12194440e-4f * ef;
    y += -0.5f * z;
    return (m + y) + 0.693359375f * ef;
}
VIDSEG_F8_INLINE Float8 log(Float8 x) { return log_of<Float8, Int8>(x); }
VIDSEG_F8_INLINE Float16 log(Float16 x) { return log_of<Float16, Int16>(x); }
VIDSEG_F8_INLINE Float16 sqrt(Float16 x) {
    Float16 r;
    for (int i = 0; i < 16; ++i) r[i] = __builtin_sqrtf(x[i]);
    return r;
}
VIDSEG_F8_INLINE void store(float* p, Float16 v) { std::memcpy(p, &v, sizeof v); }
VIDSEG_F8_INLINE Float16 twice(Float8 v) {
    return __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7);
}
VIDSEG_F8_INLINE Float8 halves_sum(Float16 v) { return low_half(v) + high_half(v); }

#undef VIDSEG_F8_INLINE

}  // namespace vidseg::audio::simd

#pragma GCC diagnostic pop
