// The message of the vidseg::Error a call throws ("no error" when it throws none): tests compare
// refusals by their exact text.
#pragma once

#include <functional>
#include <string>

#include "vidseg/core/error.hpp"

namespace vidseg::test {

inline std::string error_of(const std::function<void()>& call) {
    try {
        call();
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace vidseg::test
