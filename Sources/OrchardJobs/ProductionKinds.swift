import Foundation

/// Every job kind the shipped binaries serve. Register a new kind here (the only place): `orchard serve`,
/// `orchard worker` and `orchard-worker` build their registry from it. An `Unlearnable` kind brings its unlearning kind.
public enum ProductionKinds {
    public static func register(in registry: JobKindRegistry) {
        registry.register(PretrainKind())
        registry.register(TopicModelKind())
        registry.register(TopicHeadKind())
        registry.register(DPOKind())
        registry.register(EvaluatePreferencesKind())
        registry.register(UnlearnEvalKind())
        registry.register(MLPTrainKind())
        registry.register(DistillKind())
    }
}
