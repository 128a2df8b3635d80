// User names become the first part of object keys ("anna/task_20261207/lesson.mp4"), so they are
// restricted to a plain alphabet; file names from clients go through core/safe_path's safe_file_name.
#pragma once

#include <string>

namespace vidseg::platform {

// 1..64 of [A-Za-z0-9._-], not starting with '.' or '-'. Throws Error(InvalidArgument) naming the
// problem otherwise.
void check_user_name(const std::string& name);

}  // namespace vidseg::platform
