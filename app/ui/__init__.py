"""The Qt desktop app. Only this package imports Qt, and only through app/ui/qt.py."""
