"""The 材料 (packet) page."""
