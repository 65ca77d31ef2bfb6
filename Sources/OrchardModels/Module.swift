// Module OrchardModels: see docs/architecture.md.
