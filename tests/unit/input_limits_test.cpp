// Resource limits on what is read into memory (core/input_limits.hpp, issue 14 §5): zip bombs and huge
// sheets in .xlsx pattern lists, oversize JSON exports, model headers asking for giant networks, .npy
// shapes claiming 10^13 values. Each must end in Error(Unsupported) naming the limit and its variable.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "support/scoped_env.hpp"
#include "support/test_support.hpp"
#include "vidseg/annotations/label_studio_export.hpp"
#include "vidseg/annotations/pattern_list.hpp"
#include "vidseg/annotations/xlsx_reader.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/input_limits.hpp"
#include "vidseg/features/feature_io.hpp"
#include "vidseg/models/trained_model.hpp"

namespace fs = std::filesystem;
using namespace vidseg;
using test::ScopedEnv;
using test::shell_quote;

namespace {

fs::path hostile_xlsx(const test::TempDir& tmp, const std::string& args) {
    const fs::path out = tmp / "hostile.xlsx";
    const auto r =
        test::run_shell("python3 " + shell_quote(test::source_path("tests/tools/make_hostile_xlsx.py")) +
                        " " + args.substr(0, args.find(' ')) + " " + shell_quote(out) +
                        (args.find(' ') == std::string::npos ? "" : args.substr(args.find(' '))));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return out;
}

// The error is Unsupported and names the variable that raises the limit and what was measured.
void expect_limit_error(const Error& e, const char* env, const std::string& detail) {
    EXPECT_EQ(e.code(), ErrorCode::Unsupported) << e.what();
    EXPECT_NE(std::string(e.what()).find(std::string("set ") + env + "=N to raise it"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find(detail), std::string::npos) << e.what();
}

}  // namespace

TEST(InputLimits, DefaultsAndEnvironmentOverrides) {
    ::unsetenv("VIDSEG_MAX_SHEET_CELLS");
    EXPECT_EQ(limit_value(kMaxSheetCells), 2'000'000u);
    {
        ScopedEnv env("VIDSEG_MAX_SHEET_CELLS", "12");
        EXPECT_EQ(limit_value(kMaxSheetCells), 12u);
        const auto e = test::thrown_error([] { check_limit(kMaxSheetCells, 13, "book.xlsx", "the sheet"); });
        EXPECT_EQ(e.code(), ErrorCode::Unsupported);
        EXPECT_EQ(e.subject(), "book.xlsx");
        EXPECT_EQ(e.cause(),
                  "the sheet is 13 cells, over the limit of 12 cells for the cells of one sheet "
                  "(set VIDSEG_MAX_SHEET_CELLS=N to raise it)");
        EXPECT_NO_THROW(check_limit(kMaxSheetCells, 12, "book.xlsx", "the sheet"));
    }
    for (const char* bad : {"12k", "-1", "0", "99999999999999999999999"}) {
        ScopedEnv env("VIDSEG_MAX_SHEET_CELLS", bad);
        const auto e = test::thrown_error([] { limit_value(kMaxSheetCells); });
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument) << bad;
        EXPECT_NE(std::string(e.what()).find("VIDSEG_MAX_SHEET_CELLS"), std::string::npos) << e.what();
    }
}

TEST(InputLimits, ReadLimitedFileRefusesOversizeFilesBeforeReadingThem) {
    test::TempDir tmp;
    std::ofstream(tmp / "small.json") << "[1, 2, 3]";
    EXPECT_EQ(read_limited_file(tmp / "small.json"), "[1, 2, 3]");
    ScopedEnv env("VIDSEG_MAX_DATA_FILE_BYTES", "8");
    expect_limit_error(test::thrown_error([&] { read_limited_file(tmp / "small.json"); }),
                       "VIDSEG_MAX_DATA_FILE_BYTES", "the file is 9 bytes, over the limit of 8 bytes");
    EXPECT_EQ(test::thrown_code([&] { read_limited_file(tmp / "missing.json"); }), ErrorCode::InputNotFound);
}

TEST(InputLimits, OversizeLabelStudioExportIsRefusedByLibraryAndCli) {
    const fs::path export_file = test::source_path("tests/data/dataset/lesson_export.json");
    ASSERT_GT(fs::file_size(export_file), 1000u);
    {
        ScopedEnv env("VIDSEG_MAX_DATA_FILE_BYTES", "1000");
        expect_limit_error(test::thrown_error([&] { annotations::read_export(export_file.string()); }),
                           "VIDSEG_MAX_DATA_FILE_BYTES",
                           "over the limit of 1000 bytes for a data file read into memory");
    }
    EXPECT_NO_THROW(annotations::read_export(export_file.string()));  // the default takes it
    const auto r = test::run_shell("VIDSEG_MAX_DATA_FILE_BYTES=1000 " + shell_quote(VIDSEG_BINARY) +
                                   " dataset agreement " + shell_quote(export_file));
    EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
    EXPECT_NE(r.err.find("VIDSEG_MAX_DATA_FILE_BYTES=N"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("lesson_export.json"), std::string::npos) << r.err;
}

TEST(InputLimits, XlsxZipBombIsRefusedBeforeInflating) {
    test::TempDir tmp;
    const fs::path bomb = hostile_xlsx(tmp, "bomb 80000000");  // 80 MB of sheet in a few hundred kB
    ASSERT_LT(fs::file_size(bomb), 1'000'000u);
    const auto e = test::thrown_error([&] { annotations::read_xlsx(bomb.string()); });
    expect_limit_error(
        e, "VIDSEG_MAX_XLSX_BYTES",
        "part 'xl/worksheets/sheet1.xml' (uncompressed) is 80000000 bytes, over the limit of 67108864");
    EXPECT_EQ(e.subject(), bomb.string());
    // Through the pattern-list reader (what prepare / dataset build call) and the CLI: exit 5.
    EXPECT_EQ(test::thrown_code([&] { annotations::read_patterns(bomb.string()); }), ErrorCode::Unsupported);
    const auto r = test::run_vidseg("prepare " + shell_quote(test::media("lesson.mp4")) + " --patterns " +
                                    shell_quote(bomb) + " --out " + shell_quote(tmp / "out"));
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_NE(r.err.find("VIDSEG_MAX_XLSX_BYTES"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(tmp / "out"));
}

TEST(InputLimits, XlsxHugeSheetIsRefusedByItsCellCount) {
    test::TempDir tmp;
    const fs::path wide = hostile_xlsx(tmp, "wide 200");  // 200 rows x 16384 columns = 3.3 M cells in ~10 kB
    const auto e = test::thrown_error([&] { annotations::read_xlsx(wide.string()); });
    expect_limit_error(e, "VIDSEG_MAX_SHEET_CELLS", "over the limit of 2000000 cells");
    EXPECT_NE(e.cause().find("xl/worksheets/sheet1.xml: the sheet (up to cell XFD"), std::string::npos)
        << e.what();
    // Raised, it is read.
    ScopedEnv env("VIDSEG_MAX_SHEET_CELLS", "4000000");
    const auto sheets = annotations::read_xlsx(wide.string());
    ASSERT_EQ(sheets.size(), 1u);
    EXPECT_EQ(sheets[0].rows.size(), 200u);
    EXPECT_EQ(sheets[0].rows[199].size(), 16384u);
    EXPECT_EQ(sheets[0].rows[199].back(), "x");
}

TEST(InputLimits, XlsxSharedStringAmplificationIsRefused) {
    test::TempDir tmp;
    const fs::path amp =
        hostile_xlsx(tmp, "amplify 1000000 100");  // 1 MB string x 100 cells = 100 MB of text
    ASSERT_LT(fs::file_size(amp), 100'000u);
    expect_limit_error(test::thrown_error([&] { annotations::read_xlsx(amp.string()); }),
                       "VIDSEG_MAX_XLSX_BYTES", "the text of the sheet's cells");
}

TEST(InputLimits, OrdinaryWorkbookStaysReadableAndLowLimitsApply) {
    test::TempDir tmp;
    const fs::path ok = hostile_xlsx(tmp, "ok");
    const auto patterns = annotations::read_patterns(ok.string());
    ASSERT_EQ(patterns.size(), 3u);
    EXPECT_EQ(patterns[0].name, "Pattern 2");
    ScopedEnv env("VIDSEG_MAX_SHEET_CELLS", "3");
    expect_limit_error(test::thrown_error([&] { annotations::read_patterns(ok.string()); }),
                       "VIDSEG_MAX_SHEET_CELLS", "the sheet (up to ");
}

TEST(InputLimits, ModelHeaderAskingForAGiantNetworkIsRefused) {
    test::TempDir tmp;
    const auto model = [&](int hidden, int layers) {
        const std::string header =
            R"({"format":"vidseg.model","version":1,"arch":"bilstm","task":"patterns",)"
            R"("hyper":{"hidden":)" +
            std::to_string(hidden) + R"(,"layers":)" + std::to_string(layers) +
            R"(,"heads":4,"kernel":3,"chunk":64,"dropout":0},)"
            R"("features":{"step":1,"window":1,"columns":["a","b"]},"labels":["x"],)"
            R"("normalisation":{"mean":[0,0],"scale":[1,1]}})";
        const fs::path path = tmp / ("m" + std::to_string(hidden) + "_" + std::to_string(layers) + ".model");
        std::ofstream(path, std::ios::binary) << header << "\n"
                                              << "not a parameter archive";
        return path;
    };
    expect_limit_error(test::thrown_error([&] { models::TrainedModel::load(model(1'000'000, 1)); }),
                       "VIDSEG_MAX_MODEL_DIMENSION", "the model header's hyper.hidden is 1000000 units");
    // Each dimension within its bound, the network they describe far beyond any model file.
    expect_limit_error(test::thrown_error([&] { models::TrainedModel::load(model(60'000, 60'000)); }),
                       "VIDSEG_MAX_MODEL_FILE_BYTES", "the network the model header describes (about)");
    const auto e = test::thrown_error([&] { models::TrainedModel::load(model(0, 1)); });
    EXPECT_EQ(e.code(), ErrorCode::InvalidData);
    EXPECT_NE(e.cause().find("hyper.hidden must be positive"), std::string::npos) << e.what();
}

TEST(InputLimits, NpyShapeClaimingTooManyValuesIsRefused) {
    const auto npy = [](const std::string& shape) {
        std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape + "), }";
        header += std::string(63 - (10 + header.size()) % 64, ' ') + "\n";
        std::string out = "\x93NUMPY";
        out += '\x01';
        out += '\x00';
        out += static_cast<char>(header.size() & 0xFF);
        out += static_cast<char>(header.size() >> 8);
        return out + header;
    };
    expect_limit_error(test::thrown_error([&] { features::from_npy(npy("1000000, 1000"), "{}", "big.npy"); }),
                       "VIDSEG_MAX_FEATURE_VALUES", "the .npy matrix (1000000 x 1000) is 1000000000 values");
    const auto e =
        test::thrown_error([&] { features::from_npy(npy("4611686018427387904, 8"), "{}", "wrap.npy"); });
    EXPECT_EQ(e.code(), ErrorCode::InvalidData);
    EXPECT_NE(e.cause().find("impossibly large"), std::string::npos) << e.what();
}
