// Which instruction-set level the audio block kernels run at. They are compiled once per level
// (audio/spectral_kernels.cpp) and one is picked at run time: the best the CPU supports, or the one
// named by the VIDSEG_SIMD_LEVEL environment variable (portable | v2 | v3 | v4, for benchmarks and
// tests; a level the CPU lacks is an error, not a silent fallback).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vidseg::audio {

enum class SimdLevel {
    Portable,  // the baseline build (SSE2 on x86-64, NEON on arm64), 128-bit halves
    V2,        // x86-64-v2: SSE4.2, 128-bit halves
    V3,        // x86-64-v3: AVX2 + FMA, one 256-bit register per 8 frames
    V4,        // x86-64-v4: AVX-512, 256-bit values, two bins per 512-bit register where it pays
};

std::string_view simd_level_name(SimdLevel level);
// "portable", "v2", "v3", "v4" (also "x86-64-v3" etc.); nullopt for anything else.
std::optional<SimdLevel> parse_simd_level(std::string_view text);
// The levels compiled into this binary (Portable only off x86-64), lowest first.
std::vector<SimdLevel> built_simd_levels();
// Whether this CPU (and OS) can run the level's code.
bool cpu_supports(SimdLevel level);
// The best built level the CPU supports.
SimdLevel best_simd_level();
// VIDSEG_SIMD_LEVEL if set (throws vidseg::Error InvalidArgument when it names no level, one not
// built, or one this CPU cannot run), else best_simd_level(). Read once per call.
SimdLevel selected_simd_level();

}  // namespace vidseg::audio
