#include "vidseg/platform/user_name.hpp"

#include "vidseg/core/error.hpp"

namespace vidseg::platform {

namespace {
bool plain(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}
}  // namespace

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
