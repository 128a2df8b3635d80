#include <gtest/gtest.h>

#include "vidseg/core/error.hpp"
#include "vidseg/core/options.hpp"

using namespace vidseg;

namespace {
CommandSpec spec() {
    return {.name = "demo",
            .summary = "demo command",
            .positionals = {{.name = "VIDEO", .help = "input"}},
            .options = {{.name = "segment", .type = OptionType::Double, .default_value = "5", .help = "len",
                         .min = 0.04, .max = 3600},
                        {.name = "mode", .type = OptionType::Choice, .default_value = "exact", .help = "mode",
                         .choices = {"exact", "copy"}},
                        {.name = "tag", .type = OptionType::String, .help = "tag", .repeatable = true}}};
}
std::string error_of(std::vector<std::string> args) {
    try {
        parse_command_line(spec(), args);
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
        return e.what();
    }
    return "";
}
}  // namespace

TEST(Options, DefaultsAndValues) {
    auto p = parse_command_line(spec(), {"in.mp4", "--mode=copy", "--tag", "a", "--tag", "b"});
    EXPECT_EQ(p.positionals().at(0), "in.mp4");
    EXPECT_DOUBLE_EQ(p.number("segment"), 5.0);
    EXPECT_EQ(p.str("mode"), "copy");
    EXPECT_EQ(p.all("tag"), (std::vector<std::string>{"a", "b"}));
    EXPECT_FALSE(p.given("segment"));
    EXPECT_TRUE(p.given("mode"));
}

TEST(Options, ClearErrors) {
    EXPECT_EQ(error_of({"in.mp4", "--segment", "0"}), "option --segment: must be >= 0.04, got 0");
    EXPECT_EQ(error_of({"in.mp4", "--segment", "abc"}), "option --segment: expects a number, got 'abc'");
    EXPECT_EQ(error_of({"in.mp4", "--mode", "fast"}), "option --mode: 'fast' is not one of: exact, copy");
    EXPECT_EQ(error_of({"in.mp4", "--nope"}), "unknown option '--nope' (see --help)");
    EXPECT_EQ(error_of({"in.mp4", "--segment"}), "option --segment needs a value");
    EXPECT_EQ(error_of({}), "missing argument: expected VIDEO (see --help)");
    EXPECT_EQ(error_of({"a", "b"}), "unexpected argument 'b'");
}

TEST(Options, HelpListsEveryOption) {
    std::string help = format_help(spec());
    for (const char* needle : {"--segment", "--mode", "--tag", "--json", "--quiet", "Default: 5", "exact|copy"})
        EXPECT_NE(help.find(needle), std::string::npos) << needle;
}

// `--video prep/part_films/segment_*.mp4`: the shell gives several words after one option.
TEST(Options, TakesManyCollectsTheWordsUpToTheNextOption) {
    const CommandSpec many{.name = "build",
                           .summary = "s",
                           .options = {{.name = "video", .type = OptionType::Path, .help = "v", .repeatable = true,
                                        .takes_many = true},
                                       {.name = "out", .type = OptionType::Path, .help = "o"}}};
    auto p = parse_command_line(many, {"--video", "a.mp4", "b.mp4", "c.mp4", "--out", "ds", "--video", "d.mp4"});
    EXPECT_EQ(p.all("video"), (std::vector<std::string>{"a.mp4", "b.mp4", "c.mp4", "d.mp4"}));
    EXPECT_EQ(p.str("out"), "ds");
    // Without takes_many a second word is still an unexpected argument.
    EXPECT_EQ(error_of({"in.mp4", "--tag", "a", "b"}), "unexpected argument 'b'");
}
