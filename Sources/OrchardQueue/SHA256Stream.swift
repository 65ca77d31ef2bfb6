import Foundation
import OrchardTensor

/// Incremental SHA-256 for files read in chunks (the engine's self-contained SHA-256: no BoringSSL build).
struct SHA256Stream {
    private var hasher = SHA256Hasher()
    mutating func update(_ data: Data) { hasher.update(data) }
    mutating func finalizeHex() -> String { SHA256Hasher.hex(hasher.finalize()) }
}
