import Foundation
import Testing
@testable import OrchardCorpus

@Suite struct SHA256Tests {
    @Test func matchesFIPSTestVectors() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func incrementalUpdatesEqualOneShot() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        var hasher = SHA256()
        for chunk in stride(from: 0, to: bytes.count, by: 37) { hasher.update(bytes[chunk..<min(chunk + 37, bytes.count)]) }
        #expect(hasher.finalize() == SHA256.hash(bytes))
    }

    @Test func fileHashMatchesSha256sum() throws {
        let file = URL(fileURLWithPath: "/usr/share/common-licenses/GPL-3")
        let expected = String(decoding: try ProcessRunner.check(["sha256sum", file.path]), as: UTF8.self).prefix(64)
        #expect(try SHA256.hexOfFile(file) == String(expected))
    }
}
