// Module OrchardBenchmarks: the benchmark and reproduction drivers (orchard-train-bench, orchard-topic-bench,
// `orchard bench`), kept out of the library modules they measure. See docs/architecture.md.
