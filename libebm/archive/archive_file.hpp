// The ebm archive file: a small text header, then a Boost.Serialization
// payload (binary, text or XML).
//
//   EBM-ARCHIVE 1            magic and archive format version
//   library 0.1.0            ebm version that wrote it
//   content model            model | checkpoint
//   type rbm                 the model's registered name
//   scalar float             float | double
//   encoding binary          binary | text | xml (of the payload)
//   payload_bytes 123456
//   payload_crc32 89abcdef   zlib's CRC-32 of the payload
//   <empty line>
//   <payload>
//
// The header is read without touching the payload (`ebm info`), and the
// size and checksum are verified before a single byte is deserialized, so a
// truncated or corrupted file is reported as such instead of feeding garbage
// to the deserializer.  Files are written to a temporary name, flushed and
// renamed, so a crash during a save leaves the previous file intact.
#pragma once

#include <cstdint>
#include <string>

namespace ebm {

enum class ArchiveEncoding { binary, text, xml };

/// "binary" | "text" | "xml"; parse_encoding throws InputError naming the
/// accepted values.
std::string encoding_name(ArchiveEncoding encoding);
ArchiveEncoding parse_encoding(const std::string& name);

struct ArchiveHeader {
  static constexpr unsigned current_format = 1;
  unsigned format = current_format;
  std::string library;
  std::string content;  ///< "model" or "checkpoint"
  std::string model_type;
  std::string scalar;   ///< "float" or "double"
  ArchiveEncoding encoding = ArchiveEncoding::binary;
  std::uint64_t payload_bytes = 0;
  std::uint32_t payload_crc32 = 0;
};

/// Reads and checks the header only.  Throws InputError "path: ..." for a
/// missing file, a file that is not an ebm archive, a newer format, or a
/// malformed header.
ArchiveHeader read_archive_header(const std::string& path);

/// Reads the header and the payload, checking the payload's size and
/// checksum.  Throws InputError "path: truncated ..." / "path: corrupted ...".
std::string read_archive_payload(const std::string& path, ArchiveHeader& header);

/// Writes header + payload atomically (temporary file, fsync, rename); sets
/// the header's size, checksum and library version.
void write_archive(const std::string& path, ArchiveHeader header, const std::string& payload);

/// The header as the text lines written to the file (without the payload).
std::string header_text(const ArchiveHeader& header);

}  // namespace ebm
