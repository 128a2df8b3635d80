// Pattern lists as `prepare --patterns` / `dataset build --patterns` read them:
// annotations::read_patterns on a .txt or .csv file (the last byte picks the extension) and the
// RFC 4180 reader under it (parse_csv, both separators). .xlsx lists: fuzz_xlsx_patterns.
#include <fuzzer/FuzzedDataProvider.h>

#include "fuzz_support.hpp"
#include "vidseg/annotations/pattern_list.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace vidseg::annotations;
    FuzzedDataProvider in(data, size);
    const auto mode = in.ConsumeIntegral<uint8_t>();
    const std::string bytes = in.ConsumeRemainingBytesAsString();
    vidseg::fuzz::refusing_only_with_errors(
        [&] { (void)read_patterns(vidseg::fuzz::input_file(mode & 1 ? ".csv" : ".txt", bytes).string()); });
    vidseg::fuzz::refusing_only_with_errors([&] { (void)parse_csv(bytes, mode & 2 ? ';' : ',', "csv"); });
    return 0;
}
