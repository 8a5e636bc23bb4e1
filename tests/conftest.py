"""Shared fixtures."""

import matplotlib

matplotlib.use("Agg")
