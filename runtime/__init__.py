"""Process-level plumbing shared by every part: settings, logging, the launcher."""
