"""The managers' numbers: periods, the figures of a period and its slices, fairness, coverage."""
