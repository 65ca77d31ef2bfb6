import OrchardCLI

await OrchardCommand.main(register: ProductionKinds.register)
