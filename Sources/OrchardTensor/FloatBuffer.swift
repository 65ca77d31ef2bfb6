/// A preallocated, zero-initialised, 64-byte aligned Float32 buffer that owns its memory.
/// Models carve parameters, gradients and activations out of a few of these (llm.c style).
public final class FloatBuffer: @unchecked Sendable {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>

    public init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(1, count) * 4, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: Swift.max(1, count))
        pointer.initialize(repeating: 0, count: Swift.max(1, count))
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }

    public func zero() { pointer.update(repeating: 0, count: count) }

    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    public func copy(from values: [Float]) throws {
        guard values.count == count else { throw EngineError.shapeMismatch("expected \(count) values, got \(values.count)") }
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }

    public subscript(i: Int) -> Float {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }
}

/// Hands out consecutive slices of a FloatBuffer at construction time.
public struct BufferCarver {
    public private(set) var used = 0
    public init() {}
    /// Reserves `count` floats, rounded up to 16 so every slice stays 64-byte aligned.
    public mutating func reserve(_ count: Int) -> Int {
        let offset = used
        used += (count + 15) / 16 * 16
        return offset
    }
}
