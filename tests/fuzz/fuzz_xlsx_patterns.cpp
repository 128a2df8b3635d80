// .xlsx pattern lists (zip archive + Office Open XML) as read_patterns reads them, through the
// native workbook reader (annotations::read_xlsx). Zip bombs and huge sheets must end at the input
// limits (core/input_limits.hpp: inflated part size, sheet cells), never in an allocation failure.
#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "vidseg/annotations/pattern_list.hpp"
#include "vidseg/annotations/xlsx_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace vidseg::annotations;
    const auto path = vidseg::fuzz::input_file(".xlsx", vidseg::fuzz::text(data, size)).string();
    vidseg::fuzz::refusing_only_with_errors([&] {
        for (const auto& p :
             read_patterns(path))  // names and descriptions go into tasks.json / metadata.jsonl
            (void)nlohmann::json{{"name", p.name}, {"description", p.description}}.dump();
    });
    vidseg::fuzz::refusing_only_with_errors([&] { (void)read_xlsx(path); });
    return 0;
}
