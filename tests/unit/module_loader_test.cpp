// The optional shared modules (core/module_loader.hpp): OpenCV and libcurl are linked into
// libvidseg_vision.so / libvidseg_http.so only, never into the vidseg binary (whose start-up would
// pay their dynamic linking on every command), and a module that cannot be loaded is a typed error
// naming the file and every path tried.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "support/scoped_env.hpp"
#include "support/test_support.hpp"
#include "vidseg/net/http_client.hpp"
#include "vidseg/core/module_loader.hpp"
#include "vidseg/vision/vision_backend.hpp"

namespace fs = std::filesystem;
using vidseg::ErrorCode;
using vidseg::load_module_symbol;
using vidseg::ModuleSpec;
using vidseg::test::run_shell;
using vidseg::test::ScopedEnv;
using vidseg::test::shell_quote;
using vidseg::test::thrown_error;

namespace {

const fs::path kBuildDir = fs::path(VIDSEG_BINARY).parent_path();

std::string ldd(const fs::path& file) {
    const auto r = run_shell("ldd " + shell_quote(file));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
}

}  // namespace

TEST(ModuleLoader, OpenCvAndCurlAreLinkedIntoTheModulesNotIntoTheBinary) {
    const std::string binary = ldd(VIDSEG_BINARY);
    EXPECT_EQ(binary.find("libopencv"), std::string::npos) << binary;
    EXPECT_EQ(binary.find("libcurl"), std::string::npos) << binary;
    EXPECT_EQ(binary.find("libtorch"), std::string::npos) << binary;
    EXPECT_NE(ldd(kBuildDir / "libvidseg_vision.so").find("libopencv_dnn"), std::string::npos);
    EXPECT_NE(ldd(kBuildDir / "libvidseg_http.so").find("libcurl"), std::string::npos);
}

TEST(ModuleLoader, TheVisionModuleLoadsAndComputes) {
    // A 2x1 pattern of black / white columns: sharp, half the pixels clipped at each end.
    vidseg::media::Image img;
    img.width = 64;
    img.height = 48;
    img.layout = vidseg::media::PixelLayout::Gray8;
    for (int y = 0; y < img.height; ++y)
        for (int x = 0; x < img.width; ++x) img.pixels.push_back(x % 2 ? 255 : 0);
    const auto m = vidseg::vision::vision_backend().measure(img, 0, 8, 247);
    EXPECT_GT(m.laplacian_variance, 1000);
    EXPECT_NEAR(m.mean_luma, 127.5, 1e-9);
    EXPECT_NEAR(m.clipped_share, 1.0, 1e-9);
    // Images are checked before they reach the module.
    EXPECT_EQ(thrown_error([] { vidseg::vision::vision_backend().measure({}, 0, 8, 247); }).code(),
              ErrorCode::InvalidArgument);
}

TEST(ModuleLoader, AMissingModuleIsUnsupportedAndNamesTheFileAndThePathsTried) {
    const ModuleSpec spec{"libvidseg_no_such_module.so", "VIDSEG_NO_SUCH_MODULE", "/nonexistent/libvidseg_no_such_module.so",
                          "the test module"};
    const auto e = thrown_error([&] { load_module_symbol(spec, "anything"); });
    EXPECT_EQ(e.code(), ErrorCode::Unsupported);
    const std::string what = e.what();
    EXPECT_NE(what.find("the test module libvidseg_no_such_module.so could not be loaded (set VIDSEG_NO_SUCH_MODULE"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("/nonexistent/libvidseg_no_such_module.so (missing)"), std::string::npos) << what;
    const fs::path prefix = fs::read_symlink("/proc/self/exe").parent_path().parent_path();
    EXPECT_NE(what.find((prefix / "lib" / "vidseg" / "libvidseg_no_such_module.so").string()), std::string::npos)
        << "the installed layout <prefix>/lib/vidseg is searched: " << what;
}

TEST(ModuleLoader, TheEnvironmentOverrideComesFirstAndBadFilesAreReported) {
    vidseg::test::TempDir tmp;
    const fs::path not_a_library = tmp / "libvidseg_broken.so";
    std::ofstream(not_a_library) << "not an ELF file\n";
    const std::string real = (kBuildDir / "libvidseg_http.so").string();
    {
        // Only the override exists: its dlopen() error is reported.
        ScopedEnv env("VIDSEG_TEST_MODULE", not_a_library.string());
        const ModuleSpec spec{"libvidseg_test_only.so", "VIDSEG_TEST_MODULE", "", "the test module"};
        const auto e = thrown_error([&] { load_module_symbol(spec, vidseg::net::kHttpClientSymbol); });
        EXPECT_EQ(e.code(), ErrorCode::Unsupported);
        EXPECT_NE(std::string(e.what()).find(not_a_library.string() + " ("), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find(not_a_library.string() + " (missing)"), std::string::npos)
            << "the file exists, so the reason is dlopen()'s: " << e.what();
    }
    {
        // The override names a real module: it is used; a wrong entry point is reported.
        ScopedEnv env("VIDSEG_TEST_MODULE", real);
        const ModuleSpec spec{"libvidseg_test_only.so", "VIDSEG_TEST_MODULE", "", "the test module"};
        EXPECT_NE(load_module_symbol(spec, vidseg::net::kHttpClientSymbol), nullptr);
        const auto e = thrown_error([&] { load_module_symbol(spec, "vidseg_no_such_entry"); });
        EXPECT_EQ(e.code(), ErrorCode::Unsupported);
        EXPECT_NE(std::string(e.what()).find(real + " (no vidseg_no_such_entry)"), std::string::npos) << e.what();
    }
}
