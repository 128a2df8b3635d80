// Numbers read from untrusted JSON. nlohmann's get<int>() of a floating-point number and get<float>() of
// a large double are plain static_casts — undefined behaviour when the value does not fit (1e98 as an
// int; found by the fuzzers) — so readers of files from users check the range first.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

namespace vidseg {

// The value as T when it is a JSON integer that fits T; otherwise nlohmann's type_error (which the
// readers already turn into their "malformed" vidseg::Error).
template <typename T>
T json_integer(const nlohmann::json& value, const std::string& what) {
    static_assert(std::is_integral_v<T>);
    bool fits = false;
    if (value.is_number_unsigned())
        fits = value.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<T>::max());
    else if (value.is_number_integer())
        fits = value.get<std::int64_t>() >= static_cast<std::int64_t>(std::numeric_limits<T>::min()) &&
               (value.get<std::int64_t>() < 0 ||
                static_cast<std::uint64_t>(value.get<std::int64_t>()) <=
                    static_cast<std::uint64_t>(std::numeric_limits<T>::max()));
    if (!fits)
        throw nlohmann::json::type_error::create(
            302, what + " must be an integer within range, got " + value.dump(), &value);
    return static_cast<T>(value.is_number_unsigned() ? static_cast<T>(value.get<std::uint64_t>())
                                                     : static_cast<T>(value.get<std::int64_t>()));
}

// The member `key` of an object as T, or `fallback` when it is absent.
template <typename T>
T json_integer_or(const nlohmann::json& object, const char* key, T fallback) {
    const auto it = object.find(key);
    return it == object.end() ? fallback : json_integer<T>(*it, key);
}

// True when the member `key` of an object is an integer equal to `expected`: the version checks of
// readers (a float, huge or string "version" is simply not the expected version; no cast, no throw).
inline bool json_integer_is(const nlohmann::json& object, const char* key, std::int64_t expected) {
    if (!object.is_object()) return false;
    const auto it = object.find(key);
    if (it == object.end()) return false;
    if (it->is_number_unsigned()) return expected >= 0 && it->get<std::uint64_t>() == static_cast<std::uint64_t>(expected);
    return it->is_number_integer() && it->get<std::int64_t>() == expected;
}

// A JSON number as float (NaN and infinities cannot come from JSON); a value that would round beyond float's range
// is nlohmann's type_error like any other wrong value.
inline float json_float(const nlohmann::json& value, const std::string& what) {
    const double d = value.get<double>();
    // Doubles below 2^128 (1 - 2^-25) round to a finite float (FLT_MAX written as its shortest decimal,
    // 3.4028235e+38, reads back a little above FLT_MAX); at and beyond it the cast overflows.
    if (!(std::fabs(d) < 0x1.ffffffp127))
        throw nlohmann::json::type_error::create(302, what + " is beyond the range of a float: " + value.dump(),
                                                 &value);
    return static_cast<float>(d);
}

inline std::vector<float> json_floats(const nlohmann::json& array, const std::string& what) {
    if (!array.is_array())
        throw nlohmann::json::type_error::create(302, what + " must be an array, got " + array.dump(), &array);
    std::vector<float> out;
    out.reserve(array.size());
    for (const auto& v : array) out.push_back(json_float(v, what));
    return out;
}

}  // namespace vidseg
