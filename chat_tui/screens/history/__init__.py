"""The history screens: the browser (ctrl+r), one conversation read in full, exporting."""
