import OrchardJobs

/// Every job kind the shipped `orchard` binary serves. Register a new kind here (the only place):
/// `serve` and `worker` build their registry from it. An `Unlearnable` kind brings its unlearning kind.
public enum ProductionKinds {
    public static func register(in registry: JobKindRegistry) {
        registry.register(PretrainKind())
        registry.register(TopicModelKind())
        registry.register(TopicHeadKind())
    }
}
