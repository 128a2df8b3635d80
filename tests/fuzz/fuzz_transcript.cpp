// Transcripts (`patterns find --transcript`, `features --transcript`, transcripts beside a lesson):
// models::read_lesson_transcript by extension — .json (features::parse_transcript), .srt and .vtt
// (models::parse_subtitles); the last byte picks the extension.
#include <fuzzer/FuzzedDataProvider.h>

#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "vidseg/models/lesson_transcript.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace vidseg::models;
    FuzzedDataProvider in(data, size);
    const auto mode = in.ConsumeIntegral<uint8_t>() % 3;
    const std::string bytes = in.ConsumeRemainingBytesAsString();
    vidseg::fuzz::refusing_only_with_errors([&] {
        const char* extension = mode == 0 ? ".json" : mode == 1 ? ".srt" : ".vtt";
        const auto segments = read_lesson_transcript(vidseg::fuzz::input_file(extension, bytes));
        // The report writes the snippets into report.json: they must serialise.
        (void)nlohmann::json(transcript_snippet(segments, 0, 1e9)).dump();
        (void)nlohmann::json(transcript_snippet(segments, 1, 2)).dump();
    });
    return 0;
}
