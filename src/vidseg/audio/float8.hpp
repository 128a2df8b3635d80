// Eight floats side by side (GCC/Clang vector extensions) for the FFT split and the tempo windowing
// (plain arithmetic and shuffles, no selects). Inside a function compiled for AVX2 (see
// VIDSEG_SIMD_CLONES) a Float8 is one register; elsewhere the compiler splits it into two SSE
// registers. The block kernels of the spectral features use audio/lane_vectors.hpp instead, compiled
// per SIMD level. The helpers are always inlined, so they take the instruction set of their caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "vidseg/audio/vector_shuffle.hpp"

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

#undef VIDSEG_F8_INLINE

}  // namespace vidseg::audio::simd

#pragma GCC diagnostic pop
