"""The composition root: settings, the command line and the demo that wire the packages together."""
