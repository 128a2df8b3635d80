#include "vidseg/text/table_column_options.hpp"

#include <utility>

namespace vidseg::text {

std::vector<OptionSpec> table_column_options() {
    return {
        {.name = "lesson-column", .type = OptionType::String, .default_value = "lesson",
         .help = "Table of utterances: the column naming the lesson.", .metavar = "NAME"},
        {.name = "start-column", .type = OptionType::String, .default_value = "start",
         .help = "Table: utterance start (seconds).", .metavar = "NAME"},
        {.name = "end-column", .type = OptionType::String, .default_value = "end",
         .help = "Table: utterance end (seconds).", .metavar = "NAME"},
        {.name = "order-column", .type = OptionType::String, .default_value = "order",
         .help = "Table: utterance order in the lesson (when there are no times).", .metavar = "NAME"},
        {.name = "speaker-column", .type = OptionType::String, .default_value = "speaker",
         .help = "Table: who spoke (optional column).", .metavar = "NAME"},
        {.name = "text-column", .type = OptionType::String, .default_value = "text",
         .help = "Table: what was said.", .metavar = "NAME"},
        {.name = "labels-column", .type = OptionType::String, .default_value = "labels",
         .help = "Table: the utterance's patterns, separated by ';' or '|'.", .metavar = "NAME"},
    };
}

TableColumns table_columns(const ParsedOptions& options) {
    TableColumns c;
    for (auto [name, field] : {std::pair{"lesson-column", &c.lesson}, std::pair{"start-column", &c.start},
                               std::pair{"end-column", &c.end}, std::pair{"order-column", &c.order},
                               std::pair{"speaker-column", &c.speaker}, std::pair{"text-column", &c.text},
                               std::pair{"labels-column", &c.labels}})
        *field = options.str(name);
    return c;
}

}  // namespace vidseg::text
