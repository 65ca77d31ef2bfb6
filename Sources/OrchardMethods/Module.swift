// Module OrchardMethods: see docs/architecture.md.
