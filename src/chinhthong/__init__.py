"""chinhthong — official information channels of a provincial government, and their defence."""

__version__ = "0.1.0"
