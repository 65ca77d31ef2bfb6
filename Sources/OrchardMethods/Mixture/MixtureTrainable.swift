import Foundation
import OrchardTensor

/// What a pretraining loop needs from a language model, so the mixture machinery can drive any engine:
/// one training step on a batch of token sequences, and loss evaluation without training. Both return the
/// **per-sequence mean-token cross-entropy** in nats (ADO consumes these training losses directly; they
/// must be recorded before any loss scaling).
public protocol MixtureTrainable {
    /// Trains one optimizer step on `batch`; returns each sequence's mean-token training loss.
    mutating func trainStep(_ batch: [[Int32]]) throws -> [Double]
    /// Each sequence's mean-token loss under the current parameters (no update).
    func evaluate(_ sequences: [[Int32]]) throws -> [Double]
    /// The model's compute threads; the loop runs ADO's refits on them between steps (default: one).
    var computeThreads: ComputeThreads { get }
}

extension MixtureTrainable {
    public var computeThreads: ComputeThreads { .single }
}
