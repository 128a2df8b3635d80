// libvidseg_vision.so: the OpenCV implementation of vision/vision_backend.hpp, dlopen()ed by
// vision_backend() on first use. Exported: only the factory below (hidden visibility otherwise).
#include <algorithm>
#include <stdexcept>

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include "vidseg/vision/opencv/cv_image.hpp"
#include "vidseg/vision/opencv/haar_hog_detector.hpp"
#include "vidseg/vision/vision_backend.hpp"

namespace vidseg::vision::cvmod {

namespace {

class DnnImageNetwork final : public OnnxImageNetwork {
public:
    explicit DnnImageNetwork(const std::string& path) {
        try {
            net_ = cv::dnn::readNetFromONNX(path);
        } catch (const cv::Exception& e) {
            throw std::invalid_argument(std::string("OpenCV DNN cannot load the ONNX model: ") + e.what());
        }
        if (net_.empty()) throw std::invalid_argument("OpenCV DNN loaded an empty network");
        net_.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        net_.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    }

    std::vector<float> run(const std::vector<float>& chw, int height, int width) override {
        const int dims[4] = {1, 3, height, width};
        if (chw.size() != static_cast<std::size_t>(3) * height * width)
            throw std::invalid_argument("embedding input is not 3 x height x width floats");
        cv::Mat blob(4, dims, CV_32F, const_cast<float*>(chw.data()));
        try {
            net_.setInput(blob);
            cv::Mat result = net_.forward();
            cv::Mat flat = result.reshape(1, 1);
            if (flat.type() != CV_32F) flat.convertTo(flat, CV_32F);
            return std::vector<float>(flat.ptr<float>(), flat.ptr<float>() + flat.total());
        } catch (const cv::Exception& e) {
            throw std::invalid_argument(std::string("the embedding model failed on a frame: ") + e.what());
        }
    }

private:
    cv::dnn::Net net_;
};

class OpenCvBackend final : public VisionBackend {
public:
    FrameMeasures measure(const media::Image& image, int analysis_width, int clip_low, int clip_high) override {
        FrameMeasures m;
        try {
            const cv::Mat gray = analysis_gray(image, analysis_width);
            if (gray.cols >= 3 && gray.rows >= 3) {
                // ksize 1 = the 3x3 kernel [0 1 0; 1 -4 1; 0 1 0] (same measure as vision::sharpness);
                // the border row/column is excluded so that no padding rule invents edges.
                cv::Mat lap;
                cv::Laplacian(gray, lap, CV_32F, 1);
                cv::Scalar mean, stddev;
                cv::meanStdDev(lap(cv::Rect(1, 1, lap.cols - 2, lap.rows - 2)), mean, stddev);
                m.laplacian_variance = stddev[0] * stddev[0];
            }
            m.mean_luma = cv::mean(gray)[0];
            const double total = static_cast<double>(gray.total());
            const int low = cv::countNonZero(gray <= clip_low), high = cv::countNonZero(gray >= clip_high);
            m.clipped_share = (low + high) / total;
        } catch (const cv::Exception& e) {
            throw std::runtime_error(std::string("OpenCV frame measurement failed: ") + e.what());
        }
        return m;
    }

    ColourStats colour_stats(const media::Image& rgb) override {
        if (rgb.layout != media::PixelLayout::Rgb24) throw std::invalid_argument("colour statistics need an RGB frame");
        cv::Mat hsv;
        cv::cvtColor(view_of(rgb), hsv, cv::COLOR_RGB2HSV);  // H 0..179, S, V 0..255
        ColourStats s;
        double sat = 0;
        const double total = static_cast<double>(hsv.total());
        for (int y = 0; y < hsv.rows; ++y) {
            const uint8_t* p = hsv.ptr<uint8_t>(y);
            for (int x = 0; x < hsv.cols; ++x, p += 3) {
                sat += p[1];
                if (p[1] >= 0.15 * 255 && p[2] >= 0.1 * 255) s.hue[std::min(kHueBins - 1, p[0] / 15)] += 1.0f;
            }
        }
        for (float& h : s.hue) h = static_cast<float>(h / total);
        s.saturation = static_cast<float>(sat / total / 255.0);
        return s;
    }

    std::array<float, 64> dct_low_frequencies(const std::vector<float>& plane) override {
        if (plane.size() != 32 * 32) throw std::invalid_argument("the DCT plane must be 32 x 32");
        cv::Mat m(32, 32, CV_32F, const_cast<float*>(plane.data()));
        cv::Mat d;
        cv::dct(m, d);
        std::array<float, 64> coeffs{};
        for (int y = 0; y < 8; ++y)
            for (int x = 0; x < 8; ++x) coeffs[static_cast<std::size_t>(y * 8 + x)] = d.at<float>(y, x);
        return coeffs;
    }

    std::vector<float> normalized_chw(const media::Image& image, int width, int height,
                                      const std::array<float, 3>& mean, const std::array<float, 3>& std) override {
        const cv::Mat view = view_of(image);
        cv::Mat rgb;
        if (image.layout == media::PixelLayout::Gray8)
            cv::cvtColor(view, rgb, cv::COLOR_GRAY2RGB);
        else
            rgb = view;
        cv::Mat resized;
        cv::resize(rgb, resized, cv::Size(width, height), 0, 0, cv::INTER_LINEAR);
        const std::size_t plane = static_cast<std::size_t>(width) * height;
        std::vector<float> chw(3 * plane);
        for (int y = 0; y < height; ++y) {
            const uint8_t* row = resized.ptr<uint8_t>(y);
            for (int x = 0; x < width; ++x)
                for (int c = 0; c < 3; ++c)
                    chw[c * plane + static_cast<std::size_t>(y) * width + x] = (row[3 * x + c] / 255.0f - mean[c]) / std[c];
        }
        return chw;
    }

    std::unique_ptr<PersonDetectorEngine> person_detector(const std::string& cascade_path, int analysis_width,
                                                          bool detect_bodies) override {
        return std::make_unique<HaarHogDetector>(cascade_path, analysis_width, detect_bodies);
    }

    std::unique_ptr<OnnxImageNetwork> load_onnx(const std::string& path) override {
        return std::make_unique<DnnImageNetwork>(path);
    }
};

}  // namespace

}  // namespace vidseg::vision::cvmod

extern "C" __attribute__((visibility("default"))) vidseg::vision::VisionBackend* vidseg_vision_backend() {
    static vidseg::vision::cvmod::OpenCvBackend backend;
    return &backend;
}
