// Module OrchardTensor: see docs/architecture.md.
