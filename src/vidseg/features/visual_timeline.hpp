// Visual columns of the feature timeline. The video is decoded once at a low size (VisualOptions::width,
// at most `fps` frames per second, media::scan_video); each analysed frame gives
//   brightness        mean Rec.601 luma, 0..255
//   saturation        mean HSV saturation, 0..1
//   hue_k (k < 12)    share of pixels in hue bin k (30 degrees each) among all pixels; pixels with
//                     saturation < 0.15 or value < 0.1 count in no bin (grey/dark), so a grey
//                     picture has all-zero hue columns
//   motion            mean absolute difference (0..255) of the 64x36 area-averaged luma against the
//                     previous analysed frame (0 for the first frame)
// and each row averages them over its frames. Per row also:
//   shot_cuts         scene cuts (vision::SceneCutDetector on the analysed frames) inside the row
//   phash_k (k < 64)  perceptual hash bits of the row's first frame: DCT-II of the 32x32 area-averaged
//                     luma, the 8x8 lowest frequencies compared with their median (bit = above)
//   faces, people     Haar frontal faces / people (faces, or HOG bodies when no face is seen;
//                     vision::PersonDetector) in the row's first frame (with detect_people)
//   embed_k           output of a user-supplied image model (ONNX through OpenCV DNN, or TorchScript
//                     .pt through libtorch: features/image_embedder.hpp) on the row's first frame:
//                     RGB resized to embed_width x embed_height, scaled to 0..1, (x - mean) / std per
//                     channel, NCHW float32, batch 1; the output flattened
// Rows without an analysed frame get NaN.
#pragma once

#include <array>
#include <string>

#include "vidseg/core/progress.hpp"
#include "vidseg/features/feature_matrix.hpp"

namespace vidseg::features {

struct VisualOptions {
    double fps = 4;      // analysed frames per second (at most)
    int width = 320;     // analysis width in pixels
    bool detect_people = true;
    std::string cascade_dir;  // see vision::PersonDetectorOptions
    std::string embed_model;  // .onnx or TorchScript .pt file; empty = no embedding columns
    int embed_width = 224, embed_height = 224;
    std::array<float, 3> embed_mean{0.485f, 0.456f, 0.406f};  // ImageNet defaults, RGB, on 0..1
    std::array<float, 3> embed_std{0.229f, 0.224f, 0.225f};
};

// Appends the visual columns to `matrix` (times and spec.window set). Throws InputNotFound /
// InvalidData for a missing / unloadable embedding model, InvalidArgument for bad options, and the
// media layer's errors.
void append_visual_columns(const std::string& path, const VisualOptions& options, FeatureMatrix& matrix,
                           Progress* progress = nullptr);

}  // namespace vidseg::features
