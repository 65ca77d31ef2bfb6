import OrchardJobs

/// Every job type the shipped `orchard` binary serves. Register a new job kind by adding its
/// runner to this list (the only place): `serve` and `worker` build their RunnerRegistry from it.
public enum ProductionRunners {
    public static var all: [any JobRunner] {
        [
            PretrainRunner(),
            TopicModelRunner(), TopicHeadRunner(), TopicUnlearnRunner(),
        ]
    }
}
