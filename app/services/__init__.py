"""Use cases composed from the Qt-free core. The CLI and the UI call these; nothing else talks SQL."""
