// Module OrchardServer: see docs/architecture.md.
