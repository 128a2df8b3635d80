#include <gtest/gtest.h>

#include "support/test_support.hpp"

#include "vidseg/core/error.hpp"
#include "vidseg/timeline/interval.hpp"

using namespace vidseg;
using namespace vidseg::timeline;

namespace {
ErrorCode code_of(const std::function<void()>& f) { return test::thrown_code(f); }
}  // namespace

TEST(Interval, LengthAndIou) {
    EXPECT_DOUBLE_EQ((Interval{2, 5}).length(), 3.0);
    EXPECT_DOUBLE_EQ((Interval{5, 2}).length(), 0.0);
    EXPECT_DOUBLE_EQ(iou({0, 10}, {0, 10}), 1.0);
    EXPECT_DOUBLE_EQ(iou({0, 10}, {5, 15}), 5.0 / 15.0);
    EXPECT_DOUBLE_EQ(iou({0, 4}, {1, 3}), 0.5);  // contained: 2 / 4
    EXPECT_DOUBLE_EQ(iou({0, 5}, {5, 10}), 0.0);  // touching
    EXPECT_DOUBLE_EQ(iou({0, 5}, {7, 9}), 0.0);
    EXPECT_DOUBLE_EQ(iou({3, 3}, {3, 3}), 0.0);  // empty intervals never match
    EXPECT_DOUBLE_EQ(iou({0, 10}, {5, 15}), iou({5, 15}, {0, 10}));
}

TEST(Interval, FixedSegmentsExactMultiple) {
    const auto s = fixed_segments(15.0, 5.0);
    ASSERT_EQ(s.size(), 3u);
    EXPECT_EQ(s[0], (Interval{0, 5}));
    EXPECT_EQ(s[1], (Interval{5, 10}));
    EXPECT_EQ(s[2], (Interval{10, 15}));
}

TEST(Interval, FixedSegmentsShorterLast) {
    const auto s = fixed_segments(12.3, 5.0);
    ASSERT_EQ(s.size(), 3u);
    EXPECT_DOUBLE_EQ(s[2].start, 10.0);
    EXPECT_DOUBLE_EQ(s[2].end, 12.3);
}

TEST(Interval, FixedSegmentsDropsTinyRemainder) {
    EXPECT_EQ(fixed_segments(10.03, 5.0).size(), 2u);    // 0.03 s < 0.04
    EXPECT_EQ(fixed_segments(10.05, 5.0).size(), 3u);    // 0.05 s kept
    EXPECT_EQ(fixed_segments(10.5, 5.0, 1.0).size(), 2u);  // custom min_last
    // A video shorter than a segment is one segment, even when shorter than min_last.
    const auto one = fixed_segments(0.02, 5.0);
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(one[0], (Interval{0, 0.02}));
}

TEST(Interval, FixedSegmentsNoDriftOnLongVideos) {
    // 0.1 is inexact in binary; boundaries must be i * 0.1, not a running sum.
    const auto s = fixed_segments(3600.0, 0.1);
    ASSERT_EQ(s.size(), 36000u);
    EXPECT_DOUBLE_EQ(s[29999].start, 29999 * 0.1);
    EXPECT_DOUBLE_EQ(s.back().end, 3600.0);
    for (size_t i = 1; i < s.size(); ++i) ASSERT_DOUBLE_EQ(s[i].start, s[i - 1].end);
}

TEST(Interval, FixedSegmentsRejectsBadParameters) {
    EXPECT_EQ(code_of([] { fixed_segments(0, 5); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(code_of([] { fixed_segments(-1, 5); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(code_of([] { fixed_segments(10, 0); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(code_of([] { fixed_segments(10, -5); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(code_of([] { fixed_segments(10, 5, -1); }), ErrorCode::InvalidArgument);
}

TEST(Timecode, Format) {
    EXPECT_EQ(format_timecode(0), "00:00:00.000");
    EXPECT_EQ(format_timecode(5), "00:00:05.000");
    EXPECT_EQ(format_timecode(3725.5), "01:02:05.500");
    EXPECT_EQ(format_timecode(59.9996), "00:01:00.000");  // rounds into the next minute
    EXPECT_EQ(format_timecode(0.0014), "00:00:00.001");
    EXPECT_EQ(format_timecode(360000), "100:00:00.000");
    EXPECT_EQ(code_of([] { format_timecode(-1); }), ErrorCode::InvalidArgument);
}

TEST(Timecode, Parse) {
    EXPECT_DOUBLE_EQ(parse_timecode("0:00:05"), 5.0);
    EXPECT_DOUBLE_EQ(parse_timecode("00:00:12"), 12.0);
    EXPECT_DOUBLE_EQ(parse_timecode("01:02:05.500"), 3725.5);
    EXPECT_DOUBLE_EQ(parse_timecode("02:30"), 150.0);
    EXPECT_DOUBLE_EQ(parse_timecode("75:00"), 4500.0);  // minutes may exceed 59 without hours
    EXPECT_DOUBLE_EQ(parse_timecode("12.25"), 12.25);
    EXPECT_DOUBLE_EQ(parse_timecode(" 7 "), 7.0);
    EXPECT_DOUBLE_EQ(parse_timecode(format_timecode(4321.123)), 4321.123);
}

TEST(Timecode, ParseRejectsGarbage) {
    for (const char* bad : {"", "  ", "abc", "1:2:3:4", "00:61:00", "00:00:60", "-5", "1e3", "1:", ":5", "1.5:00",
                            "12..5", "inf", "nan", "5s"})
        EXPECT_EQ(code_of([&] { parse_timecode(bad); }), ErrorCode::InvalidData) << bad;
}
