// The review of `dataset build` (src/vidseg/dataset/review.hpp) driven through streams, and the
// build manifest's keys / fingerprints (build_manifest.hpp).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/test_support.hpp"
#include "vidseg/dataset/build_manifest.hpp"
#include "vidseg/dataset/review.hpp"

namespace fs = std::filesystem;
using namespace vidseg::dataset;
using vidseg::ErrorCode;
using vidseg::test::TempDir;
using vidseg::test::thrown_code;

namespace {

std::vector<ReviewItem> five_items() {
    std::vector<ReviewItem> items;
    for (int i = 0; i < 5; ++i)
        items.push_back({"lesson_11_1_" + std::to_string(i), "lesson", 2.0 * i, 2.0 * i + 1.5,
                         {"Эмоциональный отклик У"}, "anna@school.ru", "/stage/images/lesson_11_1_" + std::to_string(i) + ".jpg"});
    return items;
}

const std::vector<std::string> kIds = {"a_1", "b_2", "c_3", "d-4_x", "e_5"};

}  // namespace

TEST(ReviewSelection, NumbersRangesIdsAndAll) {
    EXPECT_EQ(parse_selection("3", kIds), (std::vector<size_t>{2}));
    EXPECT_EQ(parse_selection("1, 3-5", kIds), (std::vector<size_t>{0, 2, 3, 4}));
    EXPECT_EQ(parse_selection("2-3,3,2", kIds), (std::vector<size_t>{1, 2}));  // distinct, sorted
    EXPECT_EQ(parse_selection("all", kIds).size(), 5u);
    EXPECT_EQ(parse_selection("d-4_x,a_1", kIds), (std::vector<size_t>{0, 3}));  // ids, even with a '-'
}

TEST(ReviewSelection, BadSelectionsAreNamed) {
    for (const char* bad : {"0", "6", "4-2", "1-9", "", " , ", "x", "3-"})
        EXPECT_EQ(thrown_code([&] { parse_selection(bad, kIds); }), ErrorCode::InvalidArgument) << bad;
    try {
        parse_selection("2,7", kIds);
        FAIL();
    } catch (const vidseg::Error& e) {
        EXPECT_NE(std::string(e.what()).find("only 5 item(s)"), std::string::npos) << e.what();
    }
}

TEST(ReviewExclude, ListOrFileWithReasons) {
    auto list = read_exclude_argument("3,5-9");
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].selection, "3,5-9");
    EXPECT_EQ(list[0].reason, "");
    TempDir tmp;
    std::ofstream(tmp / "ex.txt") << "# bad frames\n2 teacher not in frame\n\n4-5   blurred\nlesson_11_1_0\n";
    auto file = read_exclude_argument((tmp / "ex.txt").string());
    ASSERT_EQ(file.size(), 3u);
    EXPECT_EQ(file[0].selection, "2");
    EXPECT_EQ(file[0].reason, "teacher not in frame");
    EXPECT_EQ(file[1].selection, "4-5");
    EXPECT_EQ(file[1].reason, "blurred");
    EXPECT_EQ(file[2].selection, "lesson_11_1_0");
    EXPECT_EQ(thrown_code([&] { read_exclude_argument((tmp / "missing" / "x.txt").string()); }),
              ErrorCode::InputNotFound);
}

TEST(ReviewSession, InteractiveExcludeKeepViewAndConfirm) {
    ReviewSession session(five_items(), {}, "tester");
    std::istringstream in("list\nx 2,4-5 teacher not in frame\nkeep 5\nview 2\nbogus\nx 9\n\ndone\nx 1\n");
    std::ostringstream out;
    std::vector<std::string> viewed;
    const auto outcome = session.run(in, out, [&](const ReviewItem& item, std::ostream&) { viewed.push_back(item.id); });
    EXPECT_EQ(outcome, ReviewSession::Outcome::Confirmed);
    const std::string text = out.str();
    // The listing shows number, lesson, interval, patterns, annotator and keyframe path.
    EXPECT_NE(text.find("1  kept      lesson  0.00-1.50  [Эмоциональный отклик У]  anna@school.ru  /stage/images/lesson_11_1_0.jpg"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("frame 2 (lesson_11_1_1): /stage/images/lesson_11_1_1.jpg"), std::string::npos) << text;
    EXPECT_NE(text.find("unknown command 'bogus'"), std::string::npos);
    EXPECT_NE(text.find("error: '9': there are only 5 item(s)"), std::string::npos) << text;
    EXPECT_NE(text.find("confirmed: 3 kept, 2 excluded"), std::string::npos) << text;
    EXPECT_EQ(viewed, std::vector<std::string>{"lesson_11_1_1"});
    // "x 1" after done is never read.
    EXPECT_FALSE(session.excluded(0));
    EXPECT_TRUE(session.excluded(1));
    EXPECT_FALSE(session.excluded(2));
    EXPECT_TRUE(session.excluded(3));
    EXPECT_FALSE(session.excluded(4));
    EXPECT_EQ(session.reason(3), "teacher not in frame");
    // Decisions in order: 3 exclusions, 1 keep.
    const auto& d = session.decisions();
    ASSERT_EQ(d.size(), 4u);
    EXPECT_EQ(d[0].item, "lesson_11_1_1");
    EXPECT_TRUE(d[0].excluded);
    EXPECT_EQ(d[0].who, "tester");
    EXPECT_EQ(d[0].source, "interactive");
    EXPECT_EQ(d[0].when.size(), 20u);  // 2026-11-23T14:05:09Z
    EXPECT_EQ(d[3].item, "lesson_11_1_4");
    EXPECT_FALSE(d[3].excluded);
    session.confirm_rest();  // items 1 and 3 were accepted as listed
    ASSERT_EQ(session.decisions().size(), 6u);
    EXPECT_EQ(session.decisions()[4].item, "lesson_11_1_0");
    EXPECT_EQ(session.decisions()[4].source, "confirmed");
}

TEST(ReviewSession, QuitAndEndOfInputAbort) {
    for (const char* script : {"x 1\nquit\n", "x 1\n"}) {
        ReviewSession session(five_items(), {}, "tester");
        std::istringstream in(script);
        std::ostringstream out;
        EXPECT_EQ(session.run(in, out, nullptr), ReviewSession::Outcome::Aborted) << script;
        EXPECT_NE(out.str().find("nothing written"), std::string::npos);
    }
}

TEST(ReviewSession, LogRoundTripAndPreviousDecisionsApply) {
    ReviewSession first(five_items(), {}, "anna");
    first.exclude("2", "blurred", "exclude-option");
    first.exclude("lesson_11_1_3", "", "exclude-option");
    first.keep("4", "exclude-option");  // excluded, then kept again: the latest decision wins
    TempDir tmp;
    std::ofstream(tmp / "review.jsonl") << render_review_log(first.decisions());
    const auto log = read_review_log(tmp / "review.jsonl");
    ASSERT_EQ(log.size(), 3u);
    EXPECT_EQ(log[0].item, "lesson_11_1_1");
    EXPECT_TRUE(log[0].excluded);
    EXPECT_EQ(log[0].reason, "blurred");
    EXPECT_EQ(log[0].who, "anna");
    EXPECT_EQ(log[0].patterns, std::vector<std::string>{"Эмоциональный отклик У"});
    EXPECT_DOUBLE_EQ(log[0].start, 2.0);
    EXPECT_DOUBLE_EQ(log[0].end, 3.5);

    // A re-run starts from the log and shows it.
    ReviewSession second(five_items(), log, "boris");
    EXPECT_TRUE(second.excluded(1));
    EXPECT_FALSE(second.excluded(3));
    EXPECT_EQ(second.excluded_count(), 1u);
    std::ostringstream listing;
    second.list(listing);
    EXPECT_NE(listing.str().find("2  EXCLUDED  lesson  2.00-3.50"), std::string::npos) << listing.str();
    EXPECT_NE(listing.str().find("(blurred)"), std::string::npos);
    EXPECT_TRUE(second.decisions().empty());

    std::ofstream(tmp / "bad.jsonl") << "{\"item\": \"a\", \"decision\": \"kept\"}\nnot json\n";
    EXPECT_EQ(thrown_code([&] { read_review_log(tmp / "bad.jsonl"); }), ErrorCode::InvalidData);
    EXPECT_TRUE(read_review_log(tmp / "missing.jsonl").empty());
}

TEST(BuildManifest, KeysFingerprintsAndRoundTrip) {
    EXPECT_EQ(artifact_key("clip", 1, {"a", "1.000000"}), artifact_key("clip", 1, {"a", "1.000000"}));
    EXPECT_NE(artifact_key("clip", 1, {"a", "1.000000"}), artifact_key("clip", 1, {"a", "1.000001"}));
    EXPECT_NE(artifact_key("clip", 1, {"a"}), artifact_key("clip", 2, {"a"}));
    EXPECT_EQ(key_number(2.5), "2.500000");

    TempDir tmp;
    const fs::path f = tmp / "video.bin";
    std::ofstream(f, std::ios::binary) << std::string(300000, 'a');
    const auto fp1 = video_fingerprint(f.string());
    EXPECT_EQ(fp1, video_fingerprint(f.string()));
    // One byte changed in the middle sample, same size and mtime: seen.
    const auto mtime = fs::last_write_time(f);
    {
        std::fstream io(f, std::ios::binary | std::ios::in | std::ios::out);
        io.seekp(150000);
        io.put('b');
    }
    fs::last_write_time(f, mtime);
    EXPECT_NE(video_fingerprint(f.string()), fp1);
    EXPECT_EQ(thrown_code([&] { video_fingerprint((tmp / "none").string()); }), ErrorCode::InputNotFound);

    ManifestItems items;
    items["lesson_11_1_0"]["clip"] = {"k1", {"videos/lesson_11_1_0.mp4"}};
    items["lesson_11_1_0"]["keyframe"] = {"k2", {"images/lesson_11_1_0.jpg", "images/lesson_11_1_0_crop.jpg"}};
    std::ofstream(tmp / kManifestName) << render_manifest(items);
    const auto back = read_manifest(tmp / kManifestName);
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(back.at("lesson_11_1_0").at("keyframe").files.size(), 2u);
    EXPECT_EQ(back.at("lesson_11_1_0").at("clip").key, "k1");
    std::ofstream(tmp / "broken.json") << "{";
    EXPECT_TRUE(read_manifest(tmp / "broken.json").empty());
}

TEST(BuildManifest, StageReusesJournalAfterInterruptAndCommitsAtomically) {
    TempDir tmp;
    const fs::path out = tmp / "ds";
    {
        ResumableStage stage(out);
        std::ofstream(stage.dir() / "a.txt") << "A";
        stage.record("item_a", "clip", "k-a", {"a.txt"});
        // A second build cannot share the work dir.
        EXPECT_EQ(thrown_code([&] { ResumableStage other(out); }), ErrorCode::OutputError);
    }  // "interrupted": no commit
    EXPECT_FALSE(fs::exists(out));
    {
        ResumableStage stage(out);
        ASSERT_TRUE(stage.reuse("item_a", "clip", "k-a", {"a.txt"}));  // from the interrupted run's journal
        EXPECT_FALSE(stage.reuse("item_a", "audio", "k-b", {"a.wav"}));
        fs::create_directories(stage.dir() / "videos");
        std::ofstream(stage.dir() / "videos" / "stale.mp4") << "old";  // listed nowhere: removed at commit
        stage.commit();
        EXPECT_EQ(stage.reused_artifacts(), 1u);
    }
    ASSERT_TRUE(fs::exists(out / "a.txt"));
    EXPECT_FALSE(fs::exists(out / "videos" / "stale.mp4"));
    EXPECT_TRUE(fs::exists(out / kManifestName));
    const auto mtime = fs::last_write_time(out / "a.txt");
    {
        ResumableStage stage(out);
        ASSERT_TRUE(stage.reuse("item_a", "clip", "k-a", {"a.txt"}));  // linked from the previous dataset
        stage.commit();
    }
    EXPECT_EQ(fs::last_write_time(out / "a.txt"), mtime);
    EXPECT_EQ(vidseg::test::read_text(out / "a.txt"), "A");
}

// A keyframe picked in the web review: written as "keyframe" in review.jsonl, read back, and the
// latest pick of an item wins even when a later row (an exclusion) has none.
TEST(ReviewLog, PickedKeyframesRoundTrip) {
    ReviewSession session(five_items(), {}, "rita");
    session.pick_keyframe("lesson_11_1_1", 2.75, "keyframe-pick");
    session.exclude("2", "blurred", "interactive");
    session.pick_keyframe("2", 2.5, "keyframe-pick");
    session.exclude("2", "still blurred", "interactive");
    EXPECT_TRUE(session.excluded(1));
    EXPECT_EQ(session.reason(1), "still blurred");
    const auto& rows = session.decisions();
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_FALSE(rows[0].excluded);  // a pick keeps the item's state
    EXPECT_TRUE(rows[2].excluded);
    EXPECT_EQ(rows[2].reason, "blurred");
    const auto text = render_review_log(rows);
    EXPECT_NE(text.find(R"("keyframe":2.75)"), std::string::npos) << text;
    const auto back = parse_review_log(text, "test");
    ASSERT_EQ(back.size(), 4u);
    EXPECT_EQ(back[0].keyframe, 2.75);
    EXPECT_FALSE(back[1].keyframe.has_value());
    EXPECT_EQ(picked_keyframes(back), (std::map<std::string, double>{{"lesson_11_1_1", 2.5}}));
    EXPECT_EQ(render_review_log(back), text);
}

TEST(ReviewLog, PickOutsideTheFragmentIsRefused) {
    ReviewSession session(five_items(), {}, "rita");
    const auto error = vidseg::test::thrown_error([&] { session.pick_keyframe("3", 9.0, "keyframe-pick"); });
    EXPECT_EQ(error.code(), ErrorCode::InvalidArgument);
    EXPECT_EQ(std::string(error.what()), "keyframe 9.00 s is outside lesson_11_1_2 (4.00-5.50 s)");
    EXPECT_TRUE(session.decisions().empty());
    EXPECT_THROW(parse_review_log(R"({"item": "a", "decision": "kept", "keyframe": "x"})", "draft"),
                 vidseg::Error);
}
