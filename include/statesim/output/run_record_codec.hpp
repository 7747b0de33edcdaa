#pragma once
#include <stdexcept>
#include <string>
#include <string_view>

#include "statesim/output/run_record.hpp"

namespace statesim {

// A record that cannot be decoded (truncated, or written by another version or byte order).
struct CodecError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A RunRecord as bytes, to send a finished run from one MPI rank to the writer on rank 0.
// Every field travels bit for bit (doubles included), so the decoded record writes the same
// CSV bytes as the original. Both ends must be the same build (same byte order): a header
// checks it.
std::string encode_record(const RunRecord &r);
RunRecord decode_record(std::string_view bytes); // throws CodecError

} // namespace statesim
