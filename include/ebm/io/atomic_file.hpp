#pragma once
// Writes a whole file so that readers see either the old or the new content, never a torn one: the bytes go
// to a temporary file in the same directory, are flushed to disk, and the temporary is renamed over the
// target (rename is atomic within a file system). A crash mid-checkpoint therefore never loses the previous
// checkpoint.
#include <string>
#include <string_view>

namespace ebm {

void write_file_atomically(const std::string& path, std::string_view bytes);

// The temporary file write_file_atomically uses for `path` in process `pid`: "<path>.tmp.<pid>". A process
// killed mid-write leaves it behind; the pid in the name lets the next writer tell it is stale.
std::string atomic_temp_path(const std::string& path, long pid);

}  // namespace ebm
