import OrchardCLI
import OrchardJobs

await OrchardCommand.main(register: ProductionKinds.register)
