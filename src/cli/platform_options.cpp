#include "platform_options.hpp"

namespace vidseg::cli {

OptionSpec db_option(const std::string& help) {
    return {.name = "db", .type = OptionType::String, .help = help, .metavar = "postgresql://USER@HOST/DB"};
}

}  // namespace vidseg::cli
