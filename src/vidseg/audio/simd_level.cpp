#include "vidseg/audio/simd_level.hpp"

#include <algorithm>
#include <cstdlib>

#include "vidseg/core/error.hpp"

namespace vidseg::audio {

std::string_view simd_level_name(SimdLevel level) {
    switch (level) {
        case SimdLevel::Portable:
            return "portable";
        case SimdLevel::V2:
            return "v2";
        case SimdLevel::V3:
            return "v3";
        case SimdLevel::V4:
            return "v4";
    }
    return "?";
}

std::optional<SimdLevel> parse_simd_level(std::string_view text) {
    if (text.starts_with("x86-64-")) text.remove_prefix(7);
    for (SimdLevel level : {SimdLevel::Portable, SimdLevel::V2, SimdLevel::V3, SimdLevel::V4})
        if (text == simd_level_name(level)) return level;
    return std::nullopt;
}

std::vector<SimdLevel> built_simd_levels() {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
    return {SimdLevel::Portable, SimdLevel::V2, SimdLevel::V3, SimdLevel::V4};
#else
    return {SimdLevel::Portable};
#endif
}

bool cpu_supports(SimdLevel level) {
    const auto built = built_simd_levels();
    if (std::find(built.begin(), built.end(), level) == built.end()) return false;
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
    // libgcc checks the OS's register state too (XGETBV) for the AVX levels.
    switch (level) {
        case SimdLevel::Portable:
            return true;
        case SimdLevel::V2:
            return __builtin_cpu_supports("x86-64-v2");
        case SimdLevel::V3:
            return __builtin_cpu_supports("x86-64-v3");
        case SimdLevel::V4:
            return __builtin_cpu_supports("x86-64-v4");
    }
    return false;
#else
    return level == SimdLevel::Portable;
#endif
}

SimdLevel best_simd_level() {
    SimdLevel best = SimdLevel::Portable;
    for (SimdLevel level : built_simd_levels())
        if (cpu_supports(level)) best = level;
    return best;
}

SimdLevel selected_simd_level() {
    const char* env = std::getenv("VIDSEG_SIMD_LEVEL");
    if (!env || !*env) return best_simd_level();
    const auto level = parse_simd_level(env);
    if (!level)
        throw Error(ErrorCode::InvalidArgument,
                    "'" + std::string(env) + "' is not a SIMD level (portable, v2, v3 or v4)",
                    "VIDSEG_SIMD_LEVEL");
    if (!cpu_supports(*level))
        throw Error(ErrorCode::InvalidArgument,
                    "this CPU (or this build) cannot run SIMD level " + std::string(env),
                    "VIDSEG_SIMD_LEVEL");
    return *level;
}

}  // namespace vidseg::audio
