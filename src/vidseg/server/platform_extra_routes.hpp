// Routes of the web UI's video page and of predict jobs, registered by http_server.cpp beside those of
// router.hpp: the models the server knows (routes_models.cpp) and a video's waveform peaks
// (routes_waveform.cpp).
#pragma once

#include "vidseg/server/router.hpp"

namespace vidseg::server {

void add_model_routes(Router& router);     // platform/model_registry.hpp
void add_waveform_routes(Router& router);  // platform/video_waveform.hpp

}  // namespace vidseg::server
