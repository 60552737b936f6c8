"""The language layer: normalisation, language detection, the intent engine, evaluation."""
