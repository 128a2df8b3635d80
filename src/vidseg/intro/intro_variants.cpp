#include "vidseg/intro/intro_variants.hpp"

#include <numeric>

namespace vidseg::intro {

std::vector<int> assign_variants(const std::vector<bool>& has_intro,
                                 const std::vector<std::pair<std::size_t, std::size_t>>& links) {
    const std::size_t n = has_intro.size();
    std::vector<std::size_t> parent(n);
    std::iota(parent.begin(), parent.end(), std::size_t(0));
    auto find = [&](std::size_t x) {
        while (parent[x] != x) x = parent[x] = parent[parent[x]];
        return x;
    };
    for (const auto& [a, b] : links)
        if (a < n && b < n && has_intro[a] && has_intro[b]) {
            const std::size_t ra = find(a), rb = find(b);
            if (ra != rb) parent[std::max(ra, rb)] = std::min(ra, rb);
        }
    std::vector<int> variant(n, -1), id_of_root(n, -1);
    int next = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (!has_intro[i]) continue;
        const std::size_t r = find(i);
        if (id_of_root[r] < 0) id_of_root[r] = next++;
        variant[i] = id_of_root[r];
    }
    return variant;
}

}  // namespace vidseg::intro
