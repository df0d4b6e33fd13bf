"""The verdict: DESIGN's four questions, the recommended strategy and its costs.

A stage the engine runs after the facts and before the rules (``stage.judge``).
It may import the core (``model``, ``facts``, ``knowledge``) and the scanners;
``pricing`` is a leaf that the configuration loader also uses to check overrides.
"""
