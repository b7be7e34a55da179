"""remin: screen bills of materials against China's rare-earth export controls."""
__version__ = "0.1.0"
