"""Kalundborg's history: the packaged data, validation against it and calibration to it."""
