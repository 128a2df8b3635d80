// Where `vidseg dataset publish` sends a dataset folder: the Hugging Face Hub (hf://USER/NAME, a
// dataset repository), an S3 bucket (s3://bucket/prefix) or a local folder with the same layout.
#pragma once

#include <string>

namespace vidseg::publish {

struct PublishTarget {
    enum class Kind { Folder, S3, Hub };
    Kind kind = Kind::Folder;
    std::string location;  // as given: "hf://anna/ppi-lessons", "s3://bucket/prefix", "/data/published"
    std::string repo_id;   // Hub only: "anna/ppi-lessons"
};

// Parses a target. Throws Error(InvalidArgument) naming the target when it is malformed (an hf://
// target needs exactly USER/NAME of letters, digits, '-', '_', '.'; an s3:// one a bucket).
PublishTarget parse_publish_target(const std::string& location);

}  // namespace vidseg::publish
