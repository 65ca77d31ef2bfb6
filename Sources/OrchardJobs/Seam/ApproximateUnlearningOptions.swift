import Foundation
import OrchardMethods

/// A deletion request's options for `mode: "approximate"` (docs/api.md): which method edits language models, its
/// hyperparameters, and the forget-quality bar a result must pass to be released as the model's new version.
///   {"method": "npo_gdr", "lr": 1e-5, "epochs": null, "batch_size": 4, "beta": 0.1, "alpha": 5,
///    "bar": {"max_verbmem_forget": 20, "max_knowmem_forget": null, "max_utility_loss_increase": 0.1}}
/// The bar compares the new version's MUSE metrics with absolute ceilings (VerbMem, KnowMem on forget, 0–100) and
/// the retain loss with the model's before the edit (nats); a missing field is not checked.
public struct ApproximateUnlearningOptions: Codable, Sendable, Equatable {
    public var method: String
    public var lr: Double?
    public var epochs: Int?
    public var batch_size: Int?
    public var beta: Double?
    public var alpha: Double?
    public var bar: Bar?

    public struct Bar: Codable, Sendable, Equatable {
        public var max_verbmem_forget: Double?
        public var max_knowmem_forget: Double?
        public var max_utility_loss_increase: Double?
    }

    /// Decodes and checks the options; errors name the path below `approximate`.
    public static func parse(_ json: JSONValue) throws -> ApproximateUnlearningOptions {
        guard case .object(let o) = json else { throw JobError.invalid(param: nil, message: "approximate must be an object") }
        for k in o.keys.sorted() where !["method", "lr", "epochs", "batch_size", "beta", "alpha", "bar"].contains(k) {
            throw JobError.invalid(param: k, message: "unknown option \(k)")
        }
        if case .object(let b)? = o["bar"] {
            for k in b.keys.sorted() where !["max_verbmem_forget", "max_knowmem_forget", "max_utility_loss_increase"].contains(k) {
                throw JobError.invalid(param: "bar.\(k)", message: "unknown bar field \(k)")
            }
        }
        let v: ApproximateUnlearningOptions
        do { v = try json.decode(ApproximateUnlearningOptions.self) } catch {
            throw JobError.invalid(param: nil, message: "approximate options do not decode: \(error)")
        }
        guard ApproximateUnlearningMethod(rawValue: v.method) != nil else {
            throw JobError.invalid(param: "method", message: "method must be one of \(ApproximateUnlearningMethod.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let x = v.lr, !(x > 0 && x <= 1) { throw JobError.invalid(param: "lr", message: "lr must be in (0, 1]") }
        if let x = v.epochs, !(1...1000).contains(x) { throw JobError.invalid(param: "epochs", message: "epochs must be in 1...1000") }
        if let x = v.batch_size, !(1...256).contains(x) { throw JobError.invalid(param: "batch_size", message: "batch_size must be in 1...256") }
        if let x = v.beta, !(x > 0 && x.isFinite) { throw JobError.invalid(param: "beta", message: "beta must be > 0") }
        if let x = v.alpha, !(x >= 0 && x.isFinite) { throw JobError.invalid(param: "alpha", message: "alpha must be ≥ 0") }
        for (name, x) in [("max_verbmem_forget", v.bar?.max_verbmem_forget), ("max_knowmem_forget", v.bar?.max_knowmem_forget),
                          ("max_utility_loss_increase", v.bar?.max_utility_loss_increase)] {
            if let x, !(x >= 0 && x.isFinite) { throw JobError.invalid(param: "bar.\(name)", message: "\(name) must be a finite number ≥ 0") }
        }
        return v
    }
}
