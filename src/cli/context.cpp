#include <cstdio>
#include <iostream>

#include "command.hpp"

namespace vidseg::cli {

void Context::info(const std::string& message) const {
    if (quiet || json) return;
    std::fprintf(stderr, "%s\n", message.c_str());
}

void Context::print_json(const nlohmann::json& doc) const { std::cout << doc.dump(2) << std::endl; }

std::string two_decimals(double value) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", value);
    return buf;
}

}  // namespace vidseg::cli
