import Foundation
import Testing
@testable import OrchardTensor

@Suite struct SHA256HasherTests {
    /// FIPS 180-4 / NIST example vectors.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func knownVectors(message: String, digest: String) {
        #expect(SHA256Hasher.hexDigest(message) == digest)
    }

    @Test func millionAsInChunksOfEveryAlignment() {
        var hasher = SHA256Hasher()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        var fed = 0
        var size = 1
        while fed < 1_000_000 {
            let n = min(size, 1_000_000 - fed)
            hasher.update(Array(chunk.prefix(n)))
            fed += n
            size = size % 997 + 1
        }
        #expect(SHA256Hasher.hex(hasher.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func paddingBoundaryLengthsMatchOneShotAndFileDigest() throws {
        // 55, 56, 63, 64, 65 bytes straddle the length-field boundary; compare streamed vs one-shot vs file.
        let dir = try makeSafeTensorsTestDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for length in [55, 56, 57, 63, 64, 65, 119, 120, 128] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            var split = SHA256Hasher()
            split.update(Array(bytes.prefix(length / 3)))
            split.update(Array(bytes.dropFirst(length / 3)))
            let oneShot = SHA256Hasher.hexDigest(bytes)
            #expect(SHA256Hasher.hex(split.finalize()) == oneShot)
            let url = dir.appendingPathComponent("f\(length)")
            try Data(bytes).write(to: url)
            #expect(try SHA256Hasher.hexDigest(ofFile: url) == oneShot)
        }
        // Known 64-byte vector: 64 × "a".
        #expect(SHA256Hasher.hexDigest(String(repeating: "a", count: 64)) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
    }
}
