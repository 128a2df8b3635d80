// labeled.csv (`dataset foto --labeled`): annotations::parse_labeled_csv, then written back.
#include "fuzz_support.hpp"
#include "vidseg/annotations/labeled_csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace vidseg::annotations;
    vidseg::fuzz::refusing_only_with_errors([&] {
        const auto table = parse_labeled_csv(vidseg::fuzz::text(data, size), "labeled.csv");
        (void)write_labeled_csv(table);
    });
    return 0;
}
