"""The portal's own date formats (FORMAT_MODULE_PATH). Django reads these first
and falls back to its own locale files for every name not set here."""
