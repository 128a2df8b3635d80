// Annotator names for reports: Label Studio exports name annotators by user id ("user 3"); the
// project's user list (GET /api/users, saved to a file) turns ids into names and emails.
#pragma once

#include <map>
#include <string>

#include "vidseg/annotations/label_studio_export.hpp"

namespace vidseg::annotations {

struct UserInfo {
    std::string name;  // "First Last", else the username; empty when it would only repeat the email
    std::string email;
};

// Reads a user list as Label Studio's /api/users returns it: a list of user objects ({id, first_name,
// last_name, username, email}) or {"results": [...]}; an object {"<id>": "name" | user object} is
// accepted too. Throws InputNotFound / InvalidData naming the file and the user.
std::map<long long, UserInfo> read_users(const std::string& path);

// Sets annotator_name (and a missing annotator_email) of annotations whose annotator id is in `users`.
void apply_user_names(Project& project, const std::map<long long, UserInfo>& users);

}  // namespace vidseg::annotations
