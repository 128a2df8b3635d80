#include "vidseg/publish/publish_target.hpp"

#include <algorithm>
#include <cctype>

#include "vidseg/core/error.hpp"

namespace vidseg::publish {

namespace {

// The Hub's repository name rules (huggingface_hub validate_repo_id): letters, digits, '-', '_', '.',
// no '--' or '..', not starting or ending with '-' or '.', at most 96 characters.
bool valid_hub_name(const std::string& name) {
    if (name.empty() || name.size() > 96) return false;
    if (!std::all_of(name.begin(), name.end(), [](unsigned char c) {
            return std::isalnum(c) || c == '-' || c == '_' || c == '.';
        }))
        return false;
    if (name.find("--") != std::string::npos || name.find("..") != std::string::npos) return false;
    return name.front() != '-' && name.front() != '.' && name.back() != '-' && name.back() != '.';
}

}  // namespace

PublishTarget parse_publish_target(const std::string& location) {
    PublishTarget target;
    target.location = location;
    if (location.empty()) throw Error(ErrorCode::InvalidArgument, "no publish target (--to hf://USER/NAME | s3://bucket/prefix | DIR)");
    if (location.rfind("hf://", 0) == 0) {
        std::string id = location.substr(5);
        if (id.rfind("datasets/", 0) == 0) id = id.substr(9);
        while (!id.empty() && id.back() == '/') id.pop_back();
        const auto slash = id.find('/');
        if (slash == std::string::npos || id.find('/', slash + 1) != std::string::npos ||
            !valid_hub_name(id.substr(0, slash)) || !valid_hub_name(id.substr(slash + 1)))
            throw Error(ErrorCode::InvalidArgument,
                        "a Hub target is hf://USER/NAME (letters, digits, '-', '_', '.'), got '" + location + "'",
                        location);
        target.kind = PublishTarget::Kind::Hub;
        target.repo_id = id;
        return target;
    }
    if (location.rfind("s3://", 0) == 0) {
        if (location.size() <= 5 || location[5] == '/')
            throw Error(ErrorCode::InvalidArgument, "an S3 target is s3://bucket[/prefix], got '" + location + "'", location);
        target.kind = PublishTarget::Kind::S3;
        return target;
    }
    if (location.find("://") != std::string::npos && location.rfind("file://", 0) != 0)
        throw Error(ErrorCode::InvalidArgument,
                    "unknown publish target scheme in '" + location + "' (hf://, s3://, file:// or a folder)", location);
    target.kind = PublishTarget::Kind::Folder;
    return target;
}

}  // namespace vidseg::publish
