// Writes a tiny TorchScript image model for the TorchScript embedding tests (nothing downloaded):
// a torch::jit::Module with one parameter `scale` = [1, 2, 3] and
//   forward(x [1, 3, H, W]) = cat(mean over H, W of x * scale per channel, max over H, W of x)  -> [1, 6]
// so the expected embedding of a known image can be computed by hand.
// Usage: vidseg_make_torchscript OUT.pt
#include <cstdio>
#include <exception>

#include <torch/script.h>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUT.pt\n", argv[0]);
        return 2;
    }
    try {
        torch::jit::Module module("TinyEmbedder");
        module.register_parameter("scale", torch::tensor({1.0f, 2.0f, 3.0f}), false);
        module.define(R"(
def forward(self, x):
    mean = x.mean(dim=[2, 3]) * self.scale
    peak = x.amax(dim=[2, 3])
    return torch.cat([mean, peak], 1)
)");
        module.save(argv[1]);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return 0;
}
