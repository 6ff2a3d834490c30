"""The demo campaign and the simulation model behind it (also used by the benchmarks)."""
