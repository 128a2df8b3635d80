#include <cstdio>
#include <iostream>

#include "command.hpp"

namespace vidseg::cli {

void Context::info(const std::string& message) const {
    if (quiet || json) return;
    std::fprintf(stderr, "%s\n", message.c_str());
}

void Context::warning(const std::string& text) const {
    std::fprintf(stderr, "%s\n",
                 messages.text(Msg::Warning, {{"text", messages.from_english(text)}}).c_str());
}

void Context::note(const std::string& text) const {
    std::fprintf(stderr, "%s\n", messages.text(Msg::Note, {{"text", messages.from_english(text)}}).c_str());
}

void Context::print_json(const nlohmann::json& doc) const { std::cout << doc.dump(2) << std::endl; }

namespace {
std::string fixed(double value, int digits) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", digits, value);
    return buf;
}
}  // namespace

std::string two_decimals(double value) {
    return fixed(value, 2);
}
std::string one_decimal(double value) {
    return fixed(value, 1);
}

}  // namespace vidseg::cli
