import Foundation
import OrchardTensor

/// Small helpers shared by the topic kinds.
enum TopicJobSupport {
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// A stable pseudo-random split of document ids (SHA-256 of the id): the same id always lands on the same side.
    static func isHeldOut(_ id: String, fraction: Double) -> Bool {
        guard fraction > 0 else { return false }
        let h = SHA256Hasher.digest(Array(id.utf8))
        let x = UInt32(h[0]) << 24 | UInt32(h[1]) << 16 | UInt32(h[2]) << 8 | UInt32(h[3])
        return Double(x) / 4_294_967_296.0 < fraction
    }
}
