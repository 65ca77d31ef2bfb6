import OrchardCLI

await OrchardCommand.main(runners: ProductionRunners.all)
