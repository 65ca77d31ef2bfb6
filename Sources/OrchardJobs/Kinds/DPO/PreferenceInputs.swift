import Foundation
import OrchardMethods
import OrchardModels

/// What the preference kinds (`dpo`, `evaluate_preferences`) read the same way: a GPT named by checkpoint or job id,
/// and pairs tokenized with its tokenizer and fitted to its context.
enum PreferenceInputs {
    /// The model `id` names (`JobContext.model`), read as a GPT checkpoint without optimizer state; errors name `param`.
    /// `allowCombined`: also a combined model (WHP), for readers that evaluate it as such.
    static func model(_ id: String, param: String, context: JobContext, allowCombined: Bool = false) throws -> (CheckpointRef, GPTCheckpoint.Contents) {
        guard let ref = try context.model(id) else {
            throw JobError.invalid(param: param, message: "no model \(id) (a checkpoint id, or a job with a checkpoint)")
        }
        do { return (ref, try GPTCheckpoint.read(from: ref.directory, optimizer: false, allowCombined: allowCombined)) } catch {
            throw JobError.invalid(param: param, message: "checkpoint \(ref.id) is not a GPT checkpoint: \(error)")
        }
    }

    /// One pair tokenized and fitted to context T (`EncodedPreferencePair.fitted`); an empty prompt becomes one newline,
    /// an empty response is refused (`params.dataset`).
    static func encode(_ r: PreferencePair, tokenizer: TextTokenizer, context t: Int) throws
        -> (pair: EncodedPreferencePair, truncation: EncodedPreferencePair.Truncation) {
        var prompt = tokenizer.encode(r.prompt)
        if prompt.isEmpty { prompt = tokenizer.encode("\n") }
        let chosen = tokenizer.encode(r.chosen), rejected = tokenizer.encode(r.rejected)
        guard !chosen.isEmpty, !rejected.isEmpty else {
            throw JobError.invalid(param: "dataset", message: "pair \(r.id) has an empty response")
        }
        return EncodedPreferencePair(id: r.id, prompt: prompt, chosen: chosen, rejected: rejected).fitted(context: t)
    }
}
