// A dataset item that was left out, named so that the user can find it in their input.
#pragma once

#include <string>

namespace vidseg::dataset {

struct ItemError {
    std::string item;     // e.g. "task 1 (id 17), annotation 5, interval 3 [28.00, 35.00)" or "line 4 (keyframe)"
    std::string message;  // why it is left out
};

}  // namespace vidseg::dataset
