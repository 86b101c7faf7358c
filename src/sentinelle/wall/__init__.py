"""The live wall's saved layouts: per user, and shared as presets (C6)."""
