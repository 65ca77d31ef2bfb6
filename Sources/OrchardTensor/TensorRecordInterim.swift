// INTERIM: the engineio branch defines TensorRecord in SafeTensors.swift with exactly this shape
// (agreed API). Delete this file when merging that branch.
public struct TensorRecord: Sendable, Equatable {
    public var shape: [Int]
    public var values: [Float]
    public init(shape: [Int], values: [Float]) { self.shape = shape; self.values = values }
}
