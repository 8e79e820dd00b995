"""Word documents (python-docx): minutes, notices, archives, registers. Loaded only when exporting."""
