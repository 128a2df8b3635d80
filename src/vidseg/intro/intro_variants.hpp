// Intro variants of a season: episodes whose detected intros were matched with each other show the
// same intro (one variant); a new intro from the middle of a season matches none of the old ones
// and becomes a variant of its own.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace vidseg::intro {

// Variant id per episode (-1 for episodes without intro): the connected components of `links`
// (pairs of episodes whose intros confirm each other) among the episodes with has_intro, numbered
// 0, 1, ... in the order of each component's first episode.
std::vector<int> assign_variants(const std::vector<bool>& has_intro,
                                 const std::vector<std::pair<std::size_t, std::size_t>>& links);

}  // namespace vidseg::intro
