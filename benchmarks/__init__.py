"""Benchmarks: the paper's experiments replicated on Animal-MNIST, and the back-distillation speed check."""
