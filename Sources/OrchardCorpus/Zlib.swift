import CZlib
import Foundation

/// zlib/gzip streams through the system libz. Inflate auto-detects zlib and gzip headers
/// and follows concatenated gzip members (dictzip files and some man pages are multi-member).
public enum Zlib {
    /// Decompresses a zlib or gzip stream (all gzip members).
    public static func inflate(_ input: Data, expectedSize: Int = 0) throws -> Data {
        if input.isEmpty { throw CorpusError.compression("empty input") }
        var output = Data()
        output.reserveCapacity(max(expectedSize, input.count * 3))
        var stream = z_stream()
        // 15 + 32: maximum window, automatic zlib/gzip header detection.
        var status = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw CorpusError.compression("inflateInit2 failed (\(status))") }
        defer { inflateEnd(&stream) }
        let chunkSize = 1 << 16
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        try input.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let base = raw.bindMemory(to: Bytef.self).baseAddress!
            stream.next_in = UnsafeMutablePointer(mutating: base)
            stream.avail_in = uInt(raw.count)
            while true {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(chunkSize)
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    return chunkSize - Int(stream.avail_out)
                }
                if produced > 0 { output.append(contentsOf: chunk[0..<produced]) }
                if status == Z_STREAM_END {
                    // Another gzip member may follow (concatenated gzip); anything else ends the stream.
                    if stream.avail_in >= 2, stream.next_in[0] == 0x1f, stream.next_in[1] == 0x8b {
                        inflateReset(&stream)
                        continue
                    }
                    return
                }
                if status == Z_BUF_ERROR && stream.avail_in == 0 {
                    throw CorpusError.compression("truncated stream after \(output.count) bytes")
                }
                guard status == Z_OK || status == Z_BUF_ERROR else {
                    let message = stream.msg.map { String(cString: $0) } ?? "code \(status)"
                    throw CorpusError.compression("inflate failed: \(message)")
                }
            }
        }
        return output
    }

    /// Compresses into a zlib stream (`gzip: false`) or a single-member gzip file (`gzip: true`).
    public static func deflate(_ input: Data, gzip: Bool = false, level: Int32 = 6) throws -> Data {
        var stream = z_stream()
        let windowBits: Int32 = gzip ? 15 + 16 : 15
        var status = deflateInit2_(&stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY,
                                   ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw CorpusError.compression("deflateInit2 failed (\(status))") }
        defer { deflateEnd(&stream) }
        var output = Data()
        let chunkSize = 1 << 16
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var source = [UInt8](input)
        source.withUnsafeMutableBufferPointer { buffer in
            stream.next_in = buffer.baseAddress
            stream.avail_in = uInt(buffer.count)
            repeat {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(chunkSize)
                    status = CZlib.deflate(&stream, Z_FINISH)
                    return chunkSize - Int(stream.avail_out)
                }
                output.append(contentsOf: chunk[0..<produced])
            } while status == Z_OK
        }
        guard status == Z_STREAM_END else { throw CorpusError.compression("deflate failed (\(status))") }
        return output
    }
}
