import OrchardCLI
import OrchardJobs
import OrchardTestSupport

// `orchard` plus the test-only job kinds, for end-to-end tests that start a real server
// process (crash and drain tests). Built by the test suite; not a product, never installed.
await OrchardCommand.main { registry in
    ProductionKinds.register(in: registry)
    TestKinds.register(in: registry)
}
