// Module OrchardStore: see docs/architecture.md.
