"""Management commands of the development tools."""
