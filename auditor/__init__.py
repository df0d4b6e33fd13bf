"""ragfit: audit a repository's LLM usage, supply chain and licenses, statically."""

__version__ = "0.1.0"

__all__ = ["__version__"]
