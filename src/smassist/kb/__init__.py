"""The knowledge base: its files, their shapes, the loader and validator, the runtime form."""
