// A file name from a client (tus Upload-Metadata "filename") made safe to be the last part of an
// object key: no folders, no "." / "..", no control or shell-special characters, bounded length.
// TODO(issue 14): core/safe_path brings one shared helper for every front end; use it here then.
#pragma once

#include <string>

namespace vidseg::platform {

// The last path component of `name` (either slash) with every byte outside [A-Za-z0-9._-] and
// every non-ASCII byte replaced by '_', runs of '_' collapsed, leading dots removed, at most 120
// bytes (the extension kept). Never empty: "upload" when nothing usable is left.
std::string safe_file_name(const std::string& name);

// User names become the first part of object keys: 1..64 of [A-Za-z0-9._-], not starting with '.'
// or '-'. Throws Error(InvalidArgument) naming the problem otherwise.
void check_user_name(const std::string& name);

}  // namespace vidseg::platform
