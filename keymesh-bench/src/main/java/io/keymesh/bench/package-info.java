package io.keymesh.bench;
/** Benchmarks of keymesh against baselines run side by side. */
