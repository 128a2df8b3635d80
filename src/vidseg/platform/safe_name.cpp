#include "vidseg/platform/safe_name.hpp"

#include "vidseg/core/error.hpp"

namespace vidseg::platform {

namespace {
bool plain(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}
}  // namespace

std::string safe_file_name(const std::string& name) {
    std::string base = name;
    if (const auto slash = base.find_last_of("/\\"); slash != std::string::npos)
        base = base.substr(slash + 1);
    std::string out;
    for (unsigned char c : base) {
        const char mapped = plain(c) ? static_cast<char>(c) : '_';
        if (mapped == '_' && !out.empty() && out.back() == '_') continue;
        out += mapped;
    }
    while (!out.empty() && (out.front() == '.' || out.front() == '_' || out.front() == '-'))
        out.erase(out.begin());
    constexpr std::size_t kMax = 120;
    if (out.size() > kMax) {
        const auto dot = out.rfind('.');
        const std::string ext = dot != std::string::npos && out.size() - dot <= 10 ? out.substr(dot) : "";
        out = out.substr(0, kMax - ext.size()) + ext;
    }
    if (out.empty() || out.find_first_not_of("._-") == std::string::npos) return "upload";
    return out;
}

void check_user_name(const std::string& name) {
    if (name.empty() || name.size() > 64)
        throw Error(ErrorCode::InvalidArgument, "a user name has 1 to 64 characters", name);
    for (unsigned char c : name)
        if (!plain(c))
            throw Error(ErrorCode::InvalidArgument,
                        "a user name may hold only letters, digits, '.', '_' and '-'", name);
    if (name.front() == '.' || name.front() == '-')
        throw Error(ErrorCode::InvalidArgument, "a user name may not start with '.' or '-'", name);
}

}  // namespace vidseg::platform
