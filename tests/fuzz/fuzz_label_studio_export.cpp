// Label Studio exports (JSON, JSON_MIN, CSV) as `dataset build` / `dataset agreement` read them:
// annotations::parse_export (what read_export calls on the file's text). The last byte picks the
// format (or detection) and whether a frame rate is known; the rest is the export.
#include <fuzzer/FuzzedDataProvider.h>

#include "fuzz_support.hpp"
#include "vidseg/annotations/label_studio_export.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace vidseg::annotations;
    FuzzedDataProvider in(data, size);
    const auto mode = in.ConsumeIntegral<uint8_t>();
    ReadOptions options;
    if ((mode & 3) == 1) options.format = ExportFormat::Json;
    if ((mode & 3) == 2) options.format = ExportFormat::JsonMin;
    if ((mode & 3) == 3) options.format = ExportFormat::Csv;
    if (mode & 4) options.fps = 25;
    if (mode & 8) options.controls = {{"initiator", "Choices"}, {"comment", "TextArea"}, {"label", "Labels"}};
    options.include_cancelled = (mode & 16) != 0;
    const std::string export_text = in.ConsumeRemainingBytesAsString();
    vidseg::fuzz::refusing_only_with_errors([&] {
        Project project = parse_export(export_text, options, "export");
        (void)project.annotators();
        for (auto& task : project.tasks) {
            (void)task.describe();
            if (task.needs_fps()) apply_frame_rate(task, 30, "fuzz");
            for (const auto& annotation : task.annotations) {
                (void)annotation.annotator();
                (void)segments(annotation);
                (void)task_choices(annotation);
                (void)task_texts(annotation);
            }
        }
        (void)to_full_json(project).dump();
    });
    return 0;
}
