import OrchardJobs
import OrchardTensor
import OrchardWorkerCLI

// `orchard-worker`: the worker runtime alone (the same code as `orchard worker`), built without the HTTP stack,
// for worker nodes (e.g. under Slurm). Serves the production job kinds.
BLASRuntime.ensureFastKernel(log: false)
await WorkerCommand.main(register: ProductionKinds.register)
