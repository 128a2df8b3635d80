#include <cstdio>
#include <iostream>

#include "command.hpp"

namespace vidseg::cli {

void Context::info(const std::string& message) const {
    if (quiet || json) return;
    std::fprintf(stderr, "%s\n", message.c_str());
}

void Context::print_json(const nlohmann::json& doc) const { std::cout << doc.dump(2) << std::endl; }

}  // namespace vidseg::cli
