"""Figures over time: series, their reading, and charts."""
