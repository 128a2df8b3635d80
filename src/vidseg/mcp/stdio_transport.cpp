#include "vidseg/mcp/stdio_transport.hpp"

#include <mutex>
#include <string>

#include "vidseg/mcp/mcp_session.hpp"

namespace vidseg::mcp {

void serve_stdio(const ToolBox& toolbox, std::istream& input, std::FILE* output) {
    std::mutex write_mutex;
    McpSession session(
        toolbox,
        [&write_mutex, output](const nlohmann::json& message) {
            const std::string line =
                message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
            std::lock_guard lock(write_mutex);
            std::fwrite(line.data(), 1, line.size(), output);
            std::fflush(output);
        },
        true);
    for (std::string line; std::getline(input, line);) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const auto message = nlohmann::json::parse(line, nullptr, false);
        if (message.is_discarded())
            session.reject_unparsable("a line that is not JSON");
        else
            session.handle(message);
    }
    session.cancel_all();
}

}  // namespace vidseg::mcp
